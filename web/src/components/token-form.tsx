import { useState } from 'preact/hooks';
import { isBucketId } from '../view-model.ts';

const TITLES = {
  missing: 'Sign in with a token',
  refused: 'Paste a new token',
  malformed: 'Check the link',
} as const;

/**
 * Asks for a token and, optionally, a bucket id (none given, the token refused, or the id
 * malformed); without a bucket id the overview opens.
 */
export function TokenForm(props: {
  bucketId: string | undefined;
  reason: 'missing' | 'refused' | 'malformed';
  onSubmit: (value: { bucketId: string | undefined; token: string }) => void;
}) {
  const [bucket, setBucket] = useState(props.bucketId ?? '');
  const [token, setToken] = useState('');
  const [error, setError] = useState<string>();
  return (
    <form
      class="token-form"
      aria-labelledby="token-form-title"
      onSubmit={(event) => {
        event.preventDefault();
        const bucketId = bucket.trim();
        const value = token.trim();
        if (bucketId !== '' && !isBucketId(bucketId)) {
          setError('The bucket id is 1-128 characters of letters, digits, _ or -.');
        } else if (value === '') {
          setError('Paste your token.');
        } else {
          setError(undefined);
          props.onSubmit({ bucketId: bucketId === '' ? undefined : bucketId, token: value });
        }
      }}
    >
      <h2 id="token-form-title">{TITLES[props.reason]}</h2>
      <p>The token stays in this browser tab (session storage) and is sent only to the API.</p>
      <p class="history-note">
        A link that carries a token (<code>{'#bucket=…&token=…'}</code>) stays in this browser's
        history as it was first opened: the page removes the token from the address bar, not from
        the history. On a shared computer, paste the token here instead, or clear the history.
      </p>
      <label for="bucket-input">Bucket id</label>
      <p id="bucket-hint" class="hint">
        Optional: leave it empty to see all the buckets your token reads.
      </p>
      <input
        id="bucket-input"
        name="bucket"
        aria-describedby="bucket-hint"
        autocomplete="off"
        spellcheck={false}
        value={bucket}
        onInput={(e) => setBucket((e.target as HTMLInputElement).value)}
      />
      <label for="token-input">Token</label>
      <input
        id="token-input"
        name="token"
        type="password"
        autocomplete="off"
        value={token}
        onInput={(e) => setToken((e.target as HTMLInputElement).value)}
      />
      {error !== undefined && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      <button type="submit">Show status</button>
    </form>
  );
}
