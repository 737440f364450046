import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Where a shard's consumer stands: after a sequence number, or done with a closed shard. */
export type Checkpoint = { readonly after: string } | { readonly shardEnd: true };

export interface CheckpointStore {
  get(shardId: string): Checkpoint | undefined;
  set(shardId: string, checkpoint: Checkpoint): void;
}

export class MemoryCheckpointStore implements CheckpointStore {
  protected readonly checkpoints = new Map<string, Checkpoint>();
  get(shardId: string) {
    return this.checkpoints.get(shardId);
  }
  set(shardId: string, checkpoint: Checkpoint) {
    this.checkpoints.set(shardId, checkpoint);
  }
}

/**
 * Checkpoints in one JSON file, replaced atomically (write, then rename) on every change, so
 * a restart resumes where the last completed batch left off, as Lambda's event source does.
 */
export class FileCheckpointStore extends MemoryCheckpointStore {
  constructor(private readonly file: string) {
    super();
    mkdirSync(dirname(file), { recursive: true });
    try {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Checkpoint>;
      for (const [shard, cp] of Object.entries(saved)) this.checkpoints.set(shard, cp);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }

  override set(shardId: string, checkpoint: Checkpoint) {
    super.set(shardId, checkpoint);
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(Object.fromEntries(this.checkpoints), null, 2));
    renameSync(tmp, this.file);
  }
}
