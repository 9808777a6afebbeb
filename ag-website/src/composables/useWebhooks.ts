/**
 * A project's webhooks and their delivery log: registering one (its secret is shown once),
 * removing one, sending a test delivery. The log is asked for again every few seconds while a
 * delivery is pending, so retries and results show up.
 */
import { computed, onScopeDispose, ref, watch } from 'vue';
import type { Webhook, WebhookCreated, WebhookInput } from '@/api/types';
import { createWebhook, deleteWebhook, listDeliveries, listWebhooks, pingWebhook } from '@/api/webhooks';
import { useAction, useAsync } from './useAsync';

export const DELIVERY_POLL_MS = 2000;

export function useWebhooks(projectId: () => number) {
  const webhooks = useAsync(() => listWebhooks(projectId()));
  const deliveries = useAsync(() => listDeliveries(projectId()));
  const creating = useAction();
  const acting = useAction();
  /** The webhook just created, with its secret (never shown again). */
  const created = ref<WebhookCreated | null>(null);
  const pending = computed(() => (deliveries.data.value ?? []).some((d) => d.state === 'pending'));

  let timer: ReturnType<typeof setInterval> | null = null;
  const stopPolling = (): void => {
    if (timer !== null) clearInterval(timer);
    timer = null;
  };
  watch(pending, (on) => {
    stopPolling();
    if (on) timer = setInterval(() => void deliveries.reload(), DELIVERY_POLL_MS);
  });
  onScopeDispose(stopPolling);

  async function create(input: WebhookInput): Promise<boolean> {
    const hook = await creating.run(() => createWebhook(projectId(), input));
    if (!hook) return false;
    created.value = hook;
    await webhooks.reload();
    return true;
  }

  async function remove(hook: Webhook): Promise<void> {
    await acting.run(() => deleteWebhook(hook.id));
    await Promise.all([webhooks.reload(), deliveries.reload()]);
  }

  async function ping(hook: Webhook): Promise<void> {
    await acting.run(() => pingWebhook(hook.id));
    await deliveries.reload();
  }

  return { webhooks, deliveries, creating, acting, created, create, remove, ping, reloadDeliveries: deliveries.reload };
}
