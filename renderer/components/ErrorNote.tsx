import type { ErrorView } from '../../common/errors.ts';
import { describeError } from '../format.ts';

/** An error as the user reads it: what happened, then what to do next. */
export function ErrorNote({ error, onDismiss }: { error: ErrorView; onDismiss?: () => void }) {
  const { message, next } = describeError(error);
  return (
    <div className="note note-error" role="alert">
      <p>{message}</p>
      {next && <p className="next">{next}</p>}
      {onDismiss && (
        <button type="button" className="link" onClick={onDismiss}>
          Dismiss
        </button>
      )}
    </div>
  );
}
