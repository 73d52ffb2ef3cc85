// Types of build/stamp.mjs (plain JavaScript, so the bin can load it without a build).
import type { Plugin } from 'vite';

export const ROOT: string;
export const OUT: string;
export const PARTS: readonly ['main', 'preload', 'renderer'];
export const BUILD_COMMAND: string;
export function staleReason(part: string): string | null;
export function buildProblem(parts: readonly string[]): string | null;
export function clearStamp(part: string): void;
export function writeStamp(part: string, files: readonly string[]): void;
export function stamp(
  part: string,
  extra?: readonly string[],
): { plugin: Plugin; workerPlugin: () => Plugin };
