'use client';
// The account's public display name: what /feeds, /threats and indicator pages call its feeds'
// owner (never the e-mail or the account id). A small form on the dashboard.
import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';
import type { ServerAction } from '@/lib/action-result';
import { Button, Card, CardHeader, FormError, Input } from './ui';

export interface DisplayNameFormProps {
  displayName: string;
  updateDisplayNameAction: ServerAction<{ displayName: string }, { displayName: string }>;
}

export function DisplayNameForm({ displayName, updateDisplayNameAction }: DisplayNameFormProps) {
  const router = useRouter();
  const [value, setValue] = useState(displayName);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [pending, startTransition] = useTransition();

  return (
    <Card>
      <CardHeader title="Public name" description="Public feed pages show your feeds' owner by this name, never your e-mail." />
      <form
        className="flex flex-col gap-2 px-5 py-4 sm:flex-row sm:items-start sm:px-6"
        onSubmit={(e) => {
          e.preventDefault();
          setError(null);
          setSaved(false);
          startTransition(async () => {
            const result = await updateDisplayNameAction({ displayName: value });
            if (!result.ok) return setError(result.error.message);
            setValue(result.data.displayName);
            setSaved(true);
            router.refresh();
          });
        }}
      >
        <div className="min-w-0 flex-1">
          <label htmlFor="display-name" className="sr-only">
            Public name
          </label>
          <Input
            id="display-name"
            name="displayName"
            value={value}
            maxLength={64}
            onChange={(e) => setValue(e.target.value)}
            aria-invalid={!!error}
            aria-describedby={error ? 'display-name-error' : undefined}
          />
          {error ? <FormError id="display-name-error">{error}</FormError> : null}
          {saved ? (
            <p role="status" className="mt-1 text-xs text-emerald-400">
              Saved.
            </p>
          ) : null}
        </div>
        <Button type="submit" disabled={pending || value.trim() === displayName}>
          {pending ? 'Saving…' : 'Save'}
        </Button>
      </form>
    </Card>
  );
}
