import { flushPromises } from '@vue/test-utils';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '@/api/http';
import * as lti from '@/api/lti';
import type { LtiGradeStatus, LtiPlatform } from '@/api/types';
import { useCourseLti, useLtiRegistrations } from '@/composables/useLti';

vi.mock('@/api/lti', () => ({
  getToolUrls: vi.fn(),
  listPlatforms: vi.fn(),
  createPlatform: vi.fn(),
  updatePlatform: vi.fn(),
  deletePlatform: vi.fn(),
  getCourseLink: vi.fn(),
  syncRoster: vi.fn(),
  listGradeStatus: vi.fn(),
  sendGrades: vi.fn(),
}));

const canvas: LtiPlatform = {
  id: 7,
  name: 'Canvas',
  issuer: 'https://canvas.example.edu',
  client_id: '1000',
  deployment_ids: ['1:a', '2:b'],
  keyset_url: 'https://canvas.example.edu/jwks',
  auth_login_url: 'https://canvas.example.edu/auth',
  auth_token_url: 'https://canvas.example.edu/token',
  auth_audience: '',
  created_at: '2026-12-01T00:00:00Z',
  last_modified: '2026-12-01T00:00:00Z',
};

const row = (project: number, name: string, user: number): LtiGradeStatus => ({
  user,
  username: `u${user}@x.edu`,
  project,
  project_name: name,
  score_sent: null,
  score_maximum: null,
  sent_at: null,
  attempted_at: null,
  error: '',
});

beforeEach(() => {
  vi.clearAllMocks();
  vi.mocked(lti.getToolUrls).mockResolvedValue({ jwks_url: 'j', login_url: 'l', launch_url: 'x', redirect_uris: ['x'], public_jwk: {} });
  vi.mocked(lti.listPlatforms).mockResolvedValue([canvas]);
});

describe('useLtiRegistrations', () => {
  it('edits a registration with one deployment id per line and saves them as a list', async () => {
    const r = useLtiRegistrations();
    await flushPromises();
    r.startEditing(canvas);
    expect(r.deployments.value).toBe('1:a\n2:b');
    r.deployments.value = '1:a\n\n3:c ';
    vi.mocked(lti.updatePlatform).mockResolvedValue({ ...canvas, deployment_ids: ['1:a', '3:c'] });
    await r.save();
    expect(lti.updatePlatform).toHaveBeenCalledWith(7, expect.objectContaining({ deployment_ids: ['1:a', '3:c'], issuer: canvas.issuer }));
    expect(r.editing.value).toBeNull();
    expect(r.saved.value).toBe('Saved Canvas.');
  });

  it('keeps the form open with the field errors when the server refuses it', async () => {
    const r = useLtiRegistrations();
    r.startAdding();
    vi.mocked(lti.createPlatform).mockRejectedValue(new ApiError(400, 'invalid', 'Enter a valid URL.', { issuer: ['Enter a valid URL.'] }));
    await r.save();
    expect(r.editing.value).toBe('new');
    expect(r.saving.fieldErrors('issuer')).toEqual(['Enter a valid URL.']);
  });
});

describe('useCourseLti', () => {
  it('lists each project once, in the order the server gives, and sends one project', async () => {
    vi.mocked(lti.getCourseLink).mockResolvedValue({
      linked: true, platform: 'Canvas', context_id: 'c', context_title: 'EECS', roster_available: true,
      grades_available: true, roster_synced_at: null, roster_sync_error: '', roster_sync_count: 0,
    });
    vi.mocked(lti.listGradeStatus).mockResolvedValue([row(1, 'P1', 10), row(1, 'P1', 11), row(2, 'P2', 10)]);
    vi.mocked(lti.sendGrades).mockResolvedValue({ project: 2, users: null });
    const c = useCourseLti(() => 5);
    await flushPromises();
    expect(c.projects.value).toEqual([{ id: 1, name: 'P1' }, { id: 2, name: 'P2' }]);
    await c.sendNow({ id: 2, name: 'P2' });
    expect(lti.sendGrades).toHaveBeenCalledWith(5, 2);
    expect(c.queued.value).toMatch(/^Sending the grades of P2/);
  });
});
