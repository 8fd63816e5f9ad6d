import type { FormInstance } from 'element-plus';
import { onMounted, reactive, ref, type Ref, type UnwrapRef } from 'vue';
import { useConfirmLeave } from './confirm-leave.ts';
import { useRevalidateOnLocale } from './form.ts';

/** What a settings form is built from: how to read and write its settings, and how they read as form fields. */
export interface SettingsFormOptions<Draft extends object, Saved> {
  form: Readonly<Ref<FormInstance | null | undefined>>;
  /** The fields before the settings have loaded. */
  empty: Draft;
  load(): Promise<Saved>;
  save(draft: Draft): Promise<Saved>;
  toDraft(saved: Saved): Draft;
  /** The line shown after a save: a warning when the save needs one (null: "saved"). */
  warningAfter?(saved: Saved): string | null;
  /** The line shown after a clean save ("已保存"). */
  savedText(): string;
}

/**
 * A settings form's life: loads the settings into a draft the user edits (only once loaded), asks before leaving with
 * unsaved edits, validates and saves, and says how it went (saved, a warning, or the error).
 */
export function useSettingsForm<Draft extends object, Saved>(options: SettingsFormOptions<Draft, Saved>) {
  const draft = reactive<Draft>({ ...options.empty });
  const stored = ref<Draft | null>(null);
  /** False until the settings have loaded: the form stays disabled so nothing typed is overwritten by the load. */
  const ready = ref(false);
  const saving = ref(false);
  const notice = ref<string | null>(null);
  const warning = ref<string | null>(null);
  const error = ref<unknown>(null);
  useRevalidateOnLocale(options.form);
  useConfirmLeave(() => stored.value !== null && JSON.stringify(draft) !== JSON.stringify(stored.value));

  const keep = (saved: Saved) => {
    stored.value = options.toDraft(saved) as UnwrapRef<Draft>;
    Object.assign(draft, options.toDraft(saved));
  };

  onMounted(async () => {
    try {
      keep(await options.load());
      ready.value = true;
    } catch (cause) {
      error.value = cause;
    }
  });

  /** Validates, saves and shows the outcome; nothing is sent while a field is invalid. */
  async function submit(): Promise<void> {
    if (!ready.value) return;
    notice.value = null;
    warning.value = null;
    error.value = null;
    if (!(await options.form.value!.validate().then(() => true, () => false))) return;
    saving.value = true;
    try {
      const saved = await options.save(draft as Draft);
      keep(saved);
      warning.value = options.warningAfter?.(saved) ?? null;
      if (!warning.value) notice.value = options.savedText();
    } catch (cause) {
      error.value = cause;
    } finally {
      saving.value = false;
    }
  }

  return { draft: draft as Draft, ready, saving, notice, warning, error, submit };
}
