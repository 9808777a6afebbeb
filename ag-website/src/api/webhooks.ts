import { del, get, post } from './http';
import type { Webhook, WebhookCreated, WebhookDelivery, WebhookInput } from './types';

export const listWebhooks = (projectId: number): Promise<Webhook[]> => get<Webhook[]>(`projects/${projectId}/webhooks/`);
export const createWebhook = (projectId: number, input: WebhookInput): Promise<WebhookCreated> =>
  post<WebhookCreated>(`projects/${projectId}/webhooks/`, input);
export const deleteWebhook = (id: number): Promise<void> => del(`webhooks/${id}/`);
export const pingWebhook = (id: number): Promise<WebhookDelivery> => post<WebhookDelivery>(`webhooks/${id}/ping/`);
export const listDeliveries = (projectId: number): Promise<WebhookDelivery[]> =>
  get<WebhookDelivery[]>(`projects/${projectId}/webhook-deliveries/`);
