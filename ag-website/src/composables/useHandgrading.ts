/**
 * Handgrading: the project's progress list and rubric editor (useHandgradingOverview), one
 * group's grading session (useHandgradingSession) and a student's released result
 * (useMyHandgrading), and the people staff may assign as graders (useGraderChoices). Totals come from the server after every change. An open session
 * follows its result live (server-sent events: each change another grader commits arrives at
 * once), so two graders on one group see each other's work; while the stream is down it asks
 * every few seconds instead, and reconnects (further apart after each failure) from the last
 * event seen.
 */
import { computed, onScopeDispose, ref, shallowRef, watch } from 'vue';
import { listRoster } from '@/api/courses';
import * as api from '@/api/handgrading';
import type { AnnotationInput, CriterionInput, HandgradingProgressRow, HandgradingStatus, Role, RosterUser, RubricInput } from '@/api/types';
import { useAction, useAsync } from './useAsync';
import { retryDelay } from './useSubmissionStatus';

export const SESSION_POLL_MS = 3000;

export interface LineRange {
  first: number;
  last: number;
}

/** The next group to grade after `current`: not graded yet and with a submission, wrapping. */
export function nextUngraded(rows: HandgradingProgressRow[], current: number | null): number | null {
  const open = rows.filter((row) => row.status !== 'graded' && row.submission !== null && row.group !== current);
  if (open.length === 0) return null;
  return (open.find((row) => current === null || row.group > current) ?? open[0]!).group;
}

/** `ids` with `id` moved `by` places (-1: up, 1: down); null when it can't move that way. */
export function movedIds(ids: number[], id: number, by: -1 | 1): number[] | null {
  const from = ids.indexOf(id);
  const to = from + by;
  if (from < 0 || to < 0 || to >= ids.length) return null;
  const next = [...ids];
  [next[from], next[to]] = [next[to]!, next[from]!];
  return next;
}

/** The course roles whose members may handgrade, in the order their labels name them. */
export const GRADER_ROLES: Role[] = ['handgrader', 'staff', 'admin'];

export interface GraderOption {
  value: string;
  label: string;
}

/** One option per person (by username, sorted), labelled with their name and every grader role they hold. */
export function graderOptions(members: { role: Role; user: RosterUser }[]): GraderOption[] {
  const byName = new Map<string, { user: RosterUser; roles: Role[] }>();
  for (const { role, user } of members) {
    const seen = byName.get(user.username);
    if (seen) {
      if (!seen.roles.includes(role)) seen.roles.push(role);
    } else byName.set(user.username, { user, roles: [role] });
  }
  return [...byName.values()]
    .sort((a, b) => a.user.username.localeCompare(b.user.username))
    .map(({ user, roles }) => {
      const name = `${user.first_name} ${user.last_name}`.trim();
      return { value: user.username, label: `${name ? `${name} (${user.username})` : user.username} — ${roles.join(', ')}` };
    });
}

/**
 * The course's handgraders, staff and admins to pick a grader from; null course (someone who
 * isn't staff, or the project not loaded yet): nobody, and nothing is asked for.
 */
export function useGraderChoices(courseId: () => number | null) {
  const choices = useAsync(async (): Promise<GraderOption[]> => {
    const id = courseId();
    if (id === null) return [];
    const lists = await Promise.all(GRADER_ROLES.map(async (role) => (await listRoster(id, role)).map((user) => ({ role, user }))));
    return graderOptions(lists.flat());
  });
  watch(courseId, () => void choices.reload());
  return choices;
}

export function useHandgradingOverview(projectId: () => number) {
  const status = ref<HandgradingStatus | ''>('');
  const grader = ref<string>('');
  const progress = useAsync(() =>
    api.getProgress(projectId(), { status: status.value || undefined, grader: grader.value || undefined }),
  );
  watch([status, grader], () => void progress.reload());
  const rubric = computed(() => progress.data.value?.rubric ?? null);
  const action = useAction();

  /** Runs one change, then reloads; true when the change succeeded. */
  async function write(run: () => Promise<unknown>): Promise<boolean> {
    await action.run(run);
    const ok = action.error.value === null;
    await progress.reload();
    return ok;
  }
  const rubricId = (): number => rubric.value!.id;
  /** Moves a criterion or annotation one place up or down (false at either end). */
  async function move(kind: 'criteria' | 'annotations', id: number, by: -1 | 1): Promise<boolean> {
    const ids = movedIds((rubric.value?.[kind] ?? []).map((item) => item.id), id, by);
    if (ids === null) return false;
    return write(() => (kind === 'criteria' ? api.reorderCriteria(rubricId(), ids) : api.reorderAnnotations(rubricId(), ids)));
  }

  return {
    progress,
    rubric,
    status,
    grader,
    action,
    createRubric: (input: RubricInput) => write(() => api.createRubric(projectId(), input)),
    updateRubric: (input: RubricInput) => write(() => api.updateRubric(projectId(), input)),
    importRubric: (from: number) => write(() => api.importRubric(projectId(), from)),
    addCriterion: (input: CriterionInput) => write(() => api.addCriterion(rubricId(), input)),
    updateCriterion: (id: number, input: CriterionInput) => write(() => api.updateCriterion(id, input)),
    deleteCriterion: (id: number) => write(() => api.deleteCriterion(id)),
    addAnnotation: (input: AnnotationInput) => write(() => api.addAnnotation(rubricId(), input)),
    updateAnnotation: (id: number, input: AnnotationInput) => write(() => api.updateAnnotation(id, input)),
    deleteAnnotation: (id: number) => write(() => api.deleteAnnotation(id)),
    moveCriterion: (id: number, by: -1 | 1) => move('criteria', id, by),
    moveAnnotation: (id: number, by: -1 | 1) => move('annotations', id, by),
    assign: (groups: number[], to: string | null) => write(() => api.assignGrader(projectId(), groups, to)),
  };
}

export function useHandgradingSession(projectId: () => number, groupId: () => number) {
  const result = useAsync(() => api.openResult(groupId()));
  const progress = useAsync(() => api.getProgress(projectId()));
  const action = useAction();
  const texts = shallowRef<Record<string, string>>({});
  const file = ref<string | null>(null);
  const selection = ref<LineRange | null>(null);

  const files = computed(() => result.data.value?.submitted_filenames ?? []);
  const rubric = computed(() => progress.data.value?.rubric ?? null);
  const next = computed(() => nextUngraded(progress.data.value?.groups ?? [], groupId()));

  async function show(name: string): Promise<void> {
    selection.value = null;
    file.value = name;
    const submission = result.data.value?.submission;
    if (submission === undefined || name in texts.value) return;
    const text = await action.run(() => api.submittedText(submission, name));
    if (text !== undefined) texts.value = { ...texts.value, [name]: text };
  }
  watch(files, (names) => {
    if (names.length && (file.value === null || !names.includes(file.value))) void show(names[0]!);
  });
  watch(groupId, () => {
    texts.value = {};
    file.value = null;
    void result.reload();
    void progress.reload();
  });

  /** Steps through the files: +1 next, -1 previous (wrapping). */
  function step(by: number): void {
    const names = files.value;
    if (!names.length) return;
    const at = file.value === null ? -1 : names.indexOf(file.value);
    void show(names[(at + by + names.length) % names.length]!);
  }

  /** Runs one change, then reloads the result (and its total); true when the change succeeded. */
  async function write(run: () => Promise<unknown>): Promise<boolean> {
    await action.run(run);
    const ok = action.error.value === null;
    await result.reload();
    return ok;
  }
  const rid = (): number => result.data.value!.id;

  // Another grader's changes arrive live; a reload waits for this grader's own write, which
  // reloads the result when it is done anyway.
  const live = ref(false);
  let stopStream: (() => void) | null = null;
  let reconnect: ReturnType<typeof setTimeout> | null = null;
  let lastEventId: string | null = null;
  let failures = 0;
  let watching: number | null = null;

  let pending = false;

  function reloadUnlessBusy(): void {
    if (action.busy.value || result.loading.value) {
      pending = true; // after this grader's write (or the reload under way): once more
      return;
    }
    if (result.data.value) void result.reload();
  }
  watch(
    () => action.busy.value || result.loading.value,
    (busy) => {
      if (!busy && pending) {
        pending = false;
        reloadUnlessBusy();
      }
    },
  );

  function disconnect(): void {
    stopStream?.();
    stopStream = null;
    if (reconnect !== null) clearTimeout(reconnect);
    reconnect = null;
    live.value = false;
  }

  function connect(id: number): void {
    stopStream = api.watchResult(
      id,
      (state, eventId) => {
        live.value = true;
        failures = 0;
        if (eventId) lastEventId = eventId;
        if (state.version !== null && state.version !== result.data.value?.version) reloadUnlessBusy();
      },
      ({ error }) => {
        live.value = false;
        stopStream = null;
        if (error && error.status >= 400 && error.status < 500 && error.status !== 429) return; // refused: poll
        failures += 1;
        reconnect = setTimeout(() => {
          reconnect = null;
          if (watching === id) connect(id);
        }, retryDelay(failures));
      },
      lastEventId,
    );
  }

  watch(
    () => result.data.value?.id ?? null,
    (id) => {
      if (id === watching) return;
      disconnect();
      watching = id;
      lastEventId = null;
      failures = 0;
      if (id !== null) connect(id);
    },
  );

  // While the stream is down (or refused), ask every few seconds instead.
  const timer = setInterval(() => {
    if (!live.value) reloadUnlessBusy();
  }, SESSION_POLL_MS);
  onScopeDispose(() => {
    clearInterval(timer);
    disconnect();
  });

  return {
    result,
    progress,
    rubric,
    action,
    live,
    texts,
    file,
    files,
    selection,
    next,
    show,
    step,
    toggleCriterion: (id: number, selected: boolean) => write(() => api.selectCriterion(rid(), id, selected)),
    applyAnnotation: (annotation: number) => {
      const range = selection.value;
      if (range === null || file.value === null) return Promise.resolve(false);
      const input = { annotation, filename: file.value, first_line: range.first, last_line: range.last };
      return write(() => api.applyAnnotation(rid(), input));
    },
    removeApplied: (id: number) => write(() => api.removeAppliedAnnotation(id)),
    comment: (text: string) => {
      const range = selection.value;
      const where = range && file.value ? { filename: file.value, first_line: range.first, last_line: range.last } : {};
      return write(() => api.addComment(rid(), { text, ...where }));
    },
    removeComment: (id: number) => write(() => api.deleteComment(id)),
    setAdjustment: (points: number) => write(() => api.updateResult(rid(), { points_adjustment: points })),
    setFinished: (finished: boolean) => write(() => api.updateResult(rid(), { finished })),
  };
}

/** The student's released handgrading for a project (null before release), with the text of
 * every file something was applied to. */
export function useMyHandgrading(projectId: () => number) {
  const mine = useAsync(() => api.getMyHandgrading(projectId()));
  const result = computed(() => mine.data.value?.result ?? null);
  const action = useAction();
  const texts = shallowRef<Record<string, string>>({});
  async function open(name: string): Promise<void> {
    const submission = result.value?.submission;
    if (submission === undefined || name in texts.value) return;
    const text = await action.run(() => api.submittedText(submission, name));
    if (text !== undefined) texts.value = { ...texts.value, [name]: text };
  }
  watch(result, (found) => {
    if (!found) return;
    const names = new Set([...found.applied_annotations.map((a) => a.filename), ...found.comments.map((c) => c.filename)]);
    for (const name of names) if (name) void open(name);
  });
  return { mine, result, texts, action, open };
}
