import { ElMessage } from 'element-plus';

/** A short confirmation toast ("已保存") that does not need an answer. */
export function notifySuccess(message: string): void {
  ElMessage({ type: 'success', message, grouping: true });
}

/** A toast for a failure already put into words by `useErrorText`. */
export function notifyError(message: string): void {
  ElMessage({ type: 'error', message, grouping: true, duration: 6000 });
}
