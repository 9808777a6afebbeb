/** The live monitor: workers, sandboxes, queues and node images now, and the last hour. */
import { get } from './http';

export interface MonitorJob {
  id: number;
  kind: string;
  queue: string;
  submission_id: number;
  project_id: number;
  project_name: string;
  course_id: number;
  course_name: string;
  claimed_at: string | null;
}

export interface MonitorWorker {
  name: string;
  node: string;
  alive: boolean;
  healthy: boolean;
  problems: string;
  queues: string[];
  last_seen: string;
  slots: number;
  busy_slots: number;
  jobs: MonitorJob[];
}

export interface MonitorSandbox {
  id: string;
  image: string;
  state: 'in_use' | 'idle';
  cpu_percent: number | null;
  memory_bytes: number;
  memory_limit_bytes: number;
  disk_bytes: number;
  figures_from: string;
  job: MonitorJob | null;
  worker: string;
  node: string;
  sampled_at: string;
}

export interface MonitorQueue {
  queue: string;
  pending: number;
  running: number;
  oldest_wait_s: number;
}

export interface MonitorImage {
  id: string;
  tags: string[];
  /** repository@sha256:... as pulled: a course's own image reaches a grader by digest, untagged. */
  digests: string[];
  size_bytes: number;
  created: number;
}

export interface MonitorNode {
  node: string;
  total_bytes: number;
  images: MonitorImage[];
}

export interface MonitorNow {
  enabled: boolean;
  time: string;
  sample_seconds: number;
  workers: MonitorWorker[];
  sandboxes: MonitorSandbox[];
  queues: MonitorQueue[];
  nodes: MonitorNode[];
  sample_cpu_ms: number | null;
}

export interface MonitorPoint {
  time: string;
  sandboxes: number;
  cpu_percent: number;
  memory_bytes: number;
  disk_bytes: number;
  queues: MonitorQueue[];
}

export interface MonitorHistory {
  step_seconds: number;
  points: MonitorPoint[];
}

/** A course's monitor (its staff), or the whole site's (superusers) when `courseId` is null. */
export const getMonitorNow = (courseId: number | null): Promise<MonitorNow> =>
  get<MonitorNow>(courseId === null ? 'monitor/' : `courses/${courseId}/monitor/`);

export const getMonitorHistory = (courseId: number | null): Promise<MonitorHistory> =>
  get<MonitorHistory>(courseId === null ? 'monitor/history/' : `courses/${courseId}/monitor/history/`);
