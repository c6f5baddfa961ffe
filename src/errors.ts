// The one error class: a stable code, a user-facing one-line message and the exit code it maps to.

export type ToolErrorCode =
  | 'bad-usage'
  | 'bad-target'
  | 'bad-resolve'
  | 'unreadable-file'
  | 'not-certificates'
  | 'bad-proxy-url';

const EXIT_FOR: Record<ToolErrorCode, number> = {
  'bad-usage': 2,
  'bad-target': 2,
  'bad-resolve': 2,
  'unreadable-file': 2,
  'not-certificates': 2,
  'bad-proxy-url': 2,
};

export class ToolError extends Error {
  readonly code: ToolErrorCode;
  readonly exitCode: number;

  constructor(code: ToolErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ToolError';
    this.code = code;
    this.exitCode = EXIT_FOR[code];
  }
}

/** A file error in the user's words: what is wrong with the path, not the errno. */
export function fileProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'is a directory, not a file';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ELOOP':
      return 'too many symbolic links (a loop?)';
    default:
      return code ?? (error instanceof Error ? error.message : String(error));
  }
}
