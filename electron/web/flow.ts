// Flow control for the web console's WebSocket API: every socket has its own queue of requests,
// the server runs at most `maxRunning` requests at once across all sockets and at most
// `perSocketRunning` of any one socket, and it takes them from the sockets in turn (round robin),
// so a socket that sends thousands of requests waits for its own replies while another client's
// request is taken at the next free slot. A socket whose queue is full (by count or by bytes) stops
// being read — backpressure through TCP — and a request that still arrives past the hard limit is
// refused at once with a clear error instead of being held in memory. A socket whose replies are
// not being read (its send buffer over `maxUnsentBytes`) gets nothing more started until it drains.

/** Limits of the scheduler (defaults in DEFAULT_FLOW). */
export interface FlowLimits {
  /** Requests running at once, all sockets together. */
  maxRunning: number;
  /** Requests of one socket running at once. */
  perSocketRunning: number;
  /** Requests of one socket waiting to run before its reading pauses. */
  pauseAtQueued: number;
  /** Bytes of one socket's waiting requests before its reading pauses. */
  pauseAtBytes: number;
  /** Requests of one socket waiting beyond which new ones are refused ("busy"). */
  refuseAtQueued: number;
  /** A socket's unsent reply bytes above which none of its requests is started. */
  maxUnsentBytes: number;
}

export const DEFAULT_FLOW: FlowLimits = {
  maxRunning: 8,
  perSocketRunning: 4,
  pauseAtQueued: 32,
  pauseAtBytes: 8 * 1024 * 1024,
  refuseAtQueued: 64,
  maxUnsentBytes: 8 * 1024 * 1024,
};

/** What the scheduler needs of a socket. */
export interface FlowSocket {
  /** Stop / start reading frames from the peer. */
  pause(): void;
  resume(): void;
  /** Reply bytes queued but not yet sent. */
  readonly bufferedAmount: number;
}

interface Job {
  bytes: number;
  run: () => Promise<void>;
}

interface Lane {
  socket: FlowSocket;
  queue: Job[];
  queuedBytes: number;
  running: number;
  paused: boolean;
  closed: boolean;
}

/** Why a request was refused instead of queued. */
export class FlowRefused extends Error {}

export class FlowScheduler {
  private readonly lanes: Lane[] = [];
  private readonly bySocket = new Map<FlowSocket, Lane>();
  private running = 0;
  /** Where the round robin goes on from. */
  private next = 0;
  private retry: ReturnType<typeof setTimeout> | null = null;
  readonly limits: FlowLimits;

  constructor(limits: Partial<FlowLimits> = {}) {
    this.limits = { ...DEFAULT_FLOW, ...limits };
  }

  /** Starts scheduling for a socket. */
  open(socket: FlowSocket): void {
    const lane: Lane = {
      socket,
      queue: [],
      queuedBytes: 0,
      running: 0,
      paused: false,
      closed: false,
    };
    this.lanes.push(lane);
    this.bySocket.set(socket, lane);
  }

  /** Forgets a socket: its waiting requests are dropped (their replies would go nowhere). */
  close(socket: FlowSocket): void {
    const lane = this.bySocket.get(socket);
    if (!lane) return;
    lane.closed = true;
    lane.queue = [];
    lane.queuedBytes = 0;
    this.bySocket.delete(socket);
    const i = this.lanes.indexOf(lane);
    this.lanes.splice(i, 1);
    if (this.next > i) this.next--;
    this.pump();
  }

  /**
   * Queues a request of `bytes` from `socket`; `run` carries it out and sends its reply. Throws
   * FlowRefused when the socket already has `refuseAtQueued` requests waiting.
   */
  submit(socket: FlowSocket, bytes: number, run: () => Promise<void>): void {
    const lane = this.bySocket.get(socket);
    if (!lane) return;
    const l = this.limits;
    if (lane.queue.length >= l.refuseAtQueued)
      throw new FlowRefused(
        `too many requests waiting on this connection (${lane.queue.length}); wait for replies before sending more`,
      );
    lane.queue.push({ bytes, run });
    lane.queuedBytes += bytes;
    if (
      !lane.paused &&
      (lane.queue.length >= l.pauseAtQueued || lane.queuedBytes >= l.pauseAtBytes)
    ) {
      lane.paused = true;
      lane.socket.pause();
    }
    this.pump();
  }

  /** Requests running now, and waiting (for tests and diagnostics). */
  stats(): { running: number; queued: number; sockets: number } {
    return {
      running: this.running,
      queued: this.lanes.reduce((n, l) => n + l.queue.length, 0),
      sockets: this.lanes.length,
    };
  }

  private startable(lane: Lane): boolean {
    return (
      lane.queue.length > 0 &&
      lane.running < this.limits.perSocketRunning &&
      lane.socket.bufferedAmount <= this.limits.maxUnsentBytes
    );
  }

  /** Starts waiting requests, one lane after another, while there are free slots. */
  private pump(): void {
    let blockedByUnsent = false;
    while (this.running < this.limits.maxRunning && this.lanes.length > 0) {
      let started = false;
      for (let k = 0; k < this.lanes.length; k++) {
        const i = (this.next + k) % this.lanes.length;
        const lane = this.lanes[i];
        if (!this.startable(lane)) {
          if (lane.queue.length > 0 && lane.socket.bufferedAmount > this.limits.maxUnsentBytes)
            blockedByUnsent = true;
          continue;
        }
        this.next = (i + 1) % this.lanes.length;
        this.start(lane);
        started = true;
        break;
      }
      if (!started) break;
    }
    // a peer that reads its replies again is noticed by polling (ws has no per-socket drain event)
    if (blockedByUnsent && this.retry === null) {
      this.retry = setTimeout(() => {
        this.retry = null;
        this.pump();
      }, 50);
      this.retry.unref?.();
    }
  }

  private start(lane: Lane): void {
    const job = lane.queue.shift()!;
    lane.queuedBytes -= job.bytes;
    lane.running++;
    this.running++;
    const l = this.limits;
    if (
      lane.paused &&
      lane.queue.length < l.pauseAtQueued / 2 &&
      lane.queuedBytes < l.pauseAtBytes / 2
    ) {
      lane.paused = false;
      if (!lane.closed) lane.socket.resume();
    }
    const done = () => {
      lane.running--;
      this.running--;
      this.pump();
    };
    job.run().then(done, done);
  }
}
