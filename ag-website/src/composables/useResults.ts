/**
 * Grading results as the viewer may see them: a submission's results, a command's output or
 * diff and a suite's setup output (each fetched when first opened), and the gradebook. The
 * server applies the feedback category; `category` only asks for a lower one (staff previewing
 * what students see).
 */
import { ref, shallowRef, watch } from 'vue';
import { getCommandDiff, getCommandOutput, getGradebookPage, getResults, getSetupOutput, gradebookCsvUrl, listGroupScores } from '@/api/results';
import type { CommandStream, DiffLine, FeedbackCategory, OutputText, SetupStream, SubmissionScore } from '@/api/types';
import { useAction, useAsync } from './useAsync';

/** A submission's results, asked for again when the submission, category or `refreshKey` change. */
export function useSubmissionResults(
  submissionId: () => number,
  category: () => FeedbackCategory | undefined,
  refreshKey: () => unknown = () => null,
) {
  const results = useAsync(() => getResults(submissionId(), category()));
  watch([submissionId, category, refreshKey], () => void results.reload());
  return { results };
}

/**
 * The score of each of a group's graded submissions as the viewer sees it (the results page's
 * default category), keyed by submission id; asked for again when the group or `refreshKey`
 * change. No group: no scores.
 */
export function useGroupScores(groupId: () => number | null, refreshKey: () => unknown = () => null) {
  const scores = useAsync(async (): Promise<Map<number, SubmissionScore>> => {
    const id = groupId();
    const list = id === null ? [] : await listGroupScores(id);
    return new Map(list.map((score) => [score.submission, score]));
  });
  watch([groupId, refreshKey], () => void scores.reload());
  return { scores };
}

/** One command's output: the text of a stream, or the diff of expected and actual. */
export function useCommandOutput(commandResultId: () => number, category: () => FeedbackCategory | undefined) {
  const action = useAction();
  const output = shallowRef<OutputText | null>(null);
  const diff = shallowRef<DiffLine[] | null>(null);

  /** Fetches once; later calls keep what was fetched. */
  async function load(kind: 'output' | 'diff', stream: CommandStream): Promise<void> {
    if (output.value || diff.value) return;
    if (kind === 'diff') {
      diff.value = (await action.run(() => getCommandDiff(commandResultId(), stream, category()))) ?? null;
    } else {
      output.value = (await action.run(() => getCommandOutput(commandResultId(), stream, category()))) ?? null;
    }
  }

  return { action, output, diff, load };
}

/** A suite's setup output, per stream, fetched when asked for. */
export function useSetupOutput(suiteResultId: () => number, category: () => FeedbackCategory | undefined) {
  const action = useAction();
  const outputs = ref<Partial<Record<SetupStream, OutputText>>>({});

  async function load(stream: SetupStream): Promise<void> {
    const text = await action.run(() => getSetupOutput(suiteResultId(), stream, category()));
    if (text) outputs.value = { ...outputs.value, [stream]: text };
  }

  return { action, outputs, load };
}

/** The gradebook a page at a time, and the address of the whole of it as CSV. */
export function useGradebook(projectId: () => number) {
  const page = ref(1);
  const rows = useAsync(() => getGradebookPage(projectId(), page.value));
  function go(delta: number): void {
    page.value = Math.max(1, page.value + delta);
    void rows.reload();
  }
  return { page, rows, go, csvUrl: () => gradebookCsvUrl(projectId()) };
}
