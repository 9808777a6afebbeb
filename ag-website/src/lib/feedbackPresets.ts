/** Which named preset a command's feedback settings equal, for the test editor's preset menus. */
import type { CommandFeedbackSettings, FeedbackPreset } from '@/api/types';

const KEYS: (keyof CommandFeedbackSettings)[] = [
  'visible',
  'return_code_feedback',
  'stdout_feedback',
  'stderr_feedback',
  'show_points',
  'show_actual_return_code',
  'show_actual_stdout',
  'show_actual_stderr',
  'show_whether_timed_out',
];

export function sameSettings(a: CommandFeedbackSettings, b: CommandFeedbackSettings): boolean {
  return KEYS.every((key) => a[key] === b[key]);
}

/** The preset's name, or "custom" when the settings were fine-tuned away from every preset. */
export function presetName(settings: CommandFeedbackSettings, presets: readonly FeedbackPreset[]): string {
  return presets.find((preset) => sameSettings(preset.settings, settings))?.name ?? 'custom';
}

export const PRESET_LABEL: Record<string, string> = {
  public: 'Public (everything)',
  pass_fail: 'Pass/fail + points',
  pass_fail_with_output: 'Pass/fail + output',
  private: 'Private (listed only)',
  hidden: 'Hidden',
  custom: 'Custom',
};

export function presetLabel(name: string): string {
  return PRESET_LABEL[name] ?? name.replace(/_/g, ' ');
}
