/** A parser for server-sent event streams (the `text/event-stream` format), fed chunk by chunk. */

export interface ServerEvent {
  event: string;
  data: string;
  /** The event's `id:` field, when it had one (what `Last-Event-ID` resumes from). */
  id?: string;
}

export class SseParser {
  private buffer = '';
  private event = '';
  private data: string[] = [];
  private id: string | undefined;

  /** Feeds text; returns the events completed by it. */
  push(chunk: string): ServerEvent[] {
    this.buffer += chunk;
    const events: ServerEvent[] = [];
    let newline: number;
    while ((newline = this.buffer.search(/\r\n|\n|\r/)) >= 0) {
      const line = this.buffer.slice(0, newline);
      const width = this.buffer.startsWith('\r\n', newline) ? 2 : 1;
      this.buffer = this.buffer.slice(newline + width);
      const done = this.line(line);
      if (done) events.push(done);
    }
    return events;
  }

  private line(line: string): ServerEvent | null {
    if (line === '') {
      let complete: ServerEvent | null = null;
      if (this.data.length > 0) {
        complete = { event: this.event || 'message', data: this.data.join('\n') };
        if (this.id !== undefined) complete.id = this.id;
      }
      this.event = '';
      this.data = [];
      this.id = undefined;
      return complete;
    }
    if (line.startsWith(':')) return null;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
    else if (field === 'id') this.id = value;
    return null;
  }
}
