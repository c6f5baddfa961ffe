// http-mitm-proxy's Proxy with its error path handed to us. The library answers every error with a
// bare "504 Proxy Error", writes it to console.error, and appends the error text to a response
// already under way, so a body cut off by the upstream looks complete to the app.
import { Proxy, type IContext } from 'http-mitm-proxy';

export type LibraryErrorHandler = (kind: string, ctx: IContext | null, error: Error) => void;

export class LibraryProxy extends Proxy {
  constructor(private readonly handleError: LibraryErrorHandler) {
    super();
  }

  override _onError(kind: string, ctx: IContext | null, error: Error): void {
    this.handleError(kind, ctx, error);
  }
}
