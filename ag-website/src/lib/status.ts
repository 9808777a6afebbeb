/** Submission statuses in the words autograder.io users know. */
import type { StatusSnapshot, SubmissionStatus } from '@/api/types';
import { durationText } from './time';

export const FINAL_STATUSES: ReadonlySet<SubmissionStatus> = new Set([
  'finished_grading',
  'removed_from_queue',
  'rejected',
  'error',
]);

export const REMOVABLE_STATUSES: ReadonlySet<SubmissionStatus> = new Set(['received', 'queued']);

export const STATUS_LABEL: Record<SubmissionStatus, string> = {
  received: 'Received',
  queued: 'Queued',
  being_graded: 'Being graded',
  waiting_for_deferred: 'Core tests finished',
  finished_grading: 'Finished',
  removed_from_queue: 'Removed from queue',
  rejected: 'Rejected',
  error: 'Error',
};

export function statusMessage(snapshot: Pick<StatusSnapshot, 'id' | 'status' | 'queue_position' | 'estimated_wait_s' | 'error_msg'>): string {
  switch (snapshot.status) {
    case 'received':
      return 'We got your submission! It should be queued soon.';
    case 'queued': {
      const position =
        snapshot.queue_position === null ? 'Your submission is in the queue.' : `Your submission is at position ${snapshot.queue_position} in the queue.`;
      const wait = snapshot.estimated_wait_s === null ? '' : ` Estimated wait: ${durationText(snapshot.estimated_wait_s)}.`;
      return position + wait;
    }
    case 'being_graded':
      return 'Your submission is being graded!';
    case 'waiting_for_deferred':
      return 'Core tests finished. You can submit again now!';
    case 'finished_grading':
      return 'All tests finished.';
    case 'removed_from_queue':
      return 'This submission was removed from the queue. It was not graded and does not count.';
    case 'rejected':
      return 'This submission was rejected because a required setup step failed. It does not count toward your limits.';
    case 'error':
      return `Something went wrong while grading. Please contact course staff and quote submission ID ${snapshot.id}.${snapshot.error_msg ? ` (${snapshot.error_msg})` : ''}`;
  }
}
