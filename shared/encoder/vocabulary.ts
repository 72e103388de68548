import { normalizeCommunityName } from '../community/name.ts';
import type { EncoderManifest } from './manifest.ts';

/** Name → row lookup over a model's community vocabulary, plus the per-community statistics. */
export class Vocabulary {
  readonly size: number;
  private readonly index: Map<string, number>;

  constructor(readonly manifest: EncoderManifest) {
    this.size = manifest.communities.names.length;
    this.index = new Map(manifest.communities.names.map((n, i) => [n, i]));
  }

  /** Row of a community (any spelling: "r/Analog", "analog"), or undefined when it is not in the vocabulary. */
  lookup(name: string): number | undefined {
    return this.index.get(normalizeCommunityName(name));
  }

  name(index: number): string {
    return this.manifest.communities.names[index]!;
  }

  label(index: number): string {
    return this.manifest.communities.labels[index] ?? this.name(index);
  }

  /** c_s for a row; rows past the vocabulary (unknown communities) get the configured default. */
  activity(index: number): number {
    return index < this.size ? this.manifest.communities.activity[index]! : this.manifest.edges.unknownCommunityActivity;
  }

  users(index: number): number {
    return this.manifest.communities.users[index] ?? 0;
  }
}
