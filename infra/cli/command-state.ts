/** What a command's action reads from and leaves on commander's objects: the global flags and its exit code. */
import type { Command } from 'commander';
import type { GlobalOptions } from './context.ts';

/** What a command's action ends with: its exit code (0 = everything passed). */
export type ExitCode = number;

const EXIT_CODE = Symbol('bridge exit code');

/** The root program's global flags, from inside any command's action. */
export function globalsOf(command: Command): GlobalOptions {
  let root = command;
  while (root.parent) root = root.parent;
  return root.opts<GlobalOptions>();
}

/** Sets the exit code of the command that is running. */
export function setExitCode(command: Command, code: ExitCode): void {
  (command as unknown as Record<symbol, ExitCode>)[EXIT_CODE] = code;
}

export function exitCodeOf(command: Command): ExitCode {
  return (command as unknown as Record<symbol, ExitCode | undefined>)[EXIT_CODE] ?? 0;
}
