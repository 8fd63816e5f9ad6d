import type { FormInstance, FormItemRule } from 'element-plus';
import { nextTick, watch, type Ref } from 'vue';
import { useI18n } from 'vue-i18n';

/**
 * Re-checks the fields of an `el-form` that show a validation message when the language changes,
 * so the message follows the language (a rule's message is fixed when it runs).
 */
export function useRevalidateOnLocale(form: Readonly<Ref<FormInstance | null | undefined>>): void {
  const { locale } = useI18n();
  watch(locale, async () => {
    // Rules whose messages come from `t()` are recomputed on the next render: check with those.
    await nextTick();
    const failing = (form.value?.fields ?? []).filter((field) => field.validateState === 'error' && field.prop).map((field) => field.prop!);
    if (failing.length > 0) await form.value?.validateField(failing).catch(() => undefined);
  });
}

/** One field rule from a test of its value and the message when it fails (a getter, so it follows the language). */
export function ruleFrom(ok: (value: string) => boolean, message: () => string, trigger: string | string[] = 'blur'): FormItemRule[] {
  return [{
    trigger,
    validator: (_rule: unknown, value: string, callback: (error?: Error) => void) => callback(ok(String(value ?? '')) ? undefined : new Error(message())),
  }];
}
