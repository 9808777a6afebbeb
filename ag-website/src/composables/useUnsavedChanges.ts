/**
 * Unsaved changes in an edit form: staff are asked before they lose them, whichever way they
 * leave — another tab of the admin page (a route update), another page (a route leave),
 * reloading or closing the browser tab (beforeunload), or selecting another item in an editor
 * that shows one form at a time (`confirmDiscardUnsaved`).
 */
import { computed, inject, onBeforeUnmount, ref, type ComputedRef } from 'vue';
import { matchedRouteKey, onBeforeRouteLeave, onBeforeRouteUpdate } from 'vue-router';

/** The dirty checks of the edit forms on screen now, with what each edits. */
const openForms = new Map<symbol, { what: () => string; isDirty: () => boolean }>();

function question(what: string[]): string {
  const subject = what.length === 1 ? `${what[0]} has` : `${what.join(' and ')} have`;
  return `${subject} unsaved changes. Leave without saving them?`;
}

/**
 * Asks once for every form on screen with unsaved changes; true when nothing is unsaved or the
 * user chose to discard it. For editors that swap one form for another without a route change.
 */
export function confirmDiscardUnsaved(): boolean {
  const dirty = [...openForms.values()].filter((f) => f.isDirty()).map((f) => f.what());
  return dirty.length === 0 || window.confirm(question(dirty));
}

export interface UnsavedChanges {
  dirty: ComputedRef<boolean>;
  /** The form's current values are what the server holds now (after a save or a reload). */
  markSaved: () => void;
}

/**
 * Tracks `form` (a reactive object of plain values) against what was last saved. `what` names
 * the form in the question ("The project settings", "The test \"sorts\"").
 */
export function useUnsavedChanges(form: object, what: () => string): UnsavedChanges {
  const savedState = ref(JSON.stringify(form));
  const dirty = computed(() => JSON.stringify(form) !== savedState.value);
  const markSaved = (): void => {
    savedState.value = JSON.stringify(form);
  };
  const mayLeave = (): boolean => !dirty.value || window.confirm(question([what()]));
  // Route guards need a page of the router around the form (a unit test may mount it alone).
  if (inject(matchedRouteKey, null)) {
    onBeforeRouteUpdate(mayLeave);
    onBeforeRouteLeave(mayLeave);
  }

  const warnOnUnload = (event: BeforeUnloadEvent): void => {
    if (dirty.value) event.preventDefault();
  };
  window.addEventListener('beforeunload', warnOnUnload);
  const key = Symbol('edit form');
  openForms.set(key, { what, isDirty: () => dirty.value });
  onBeforeUnmount(() => {
    window.removeEventListener('beforeunload', warnOnUnload);
    openForms.delete(key);
  });
  return { dirty, markSaved };
}
