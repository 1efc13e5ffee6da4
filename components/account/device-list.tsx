'use client';
// The signed-in devices on /settings: each session (created, last seen, browser, rough address),
// sign out another one, or sign out everywhere (this device included; the header's "Sign out" does
// the same, see app/_lib/auth.ts).
import { useRouter } from 'next/navigation';
import { signOut } from 'next-auth/react';
import { useState, useTransition } from 'react';
import type { ServerAction } from '@/lib/action-result';
import { Badge, Button, Card, CardHeader, FormError } from '../dashboard/ui';

export interface DeviceRow {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  userAgent: string;
  address: string;
  current: boolean;
}

const when = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

export function DeviceList({
  devices,
  endSessionAction,
  signOutEverywhereAction,
}: {
  devices: DeviceRow[];
  endSessionAction: ServerAction<{ id: string }, { ended: boolean; self: boolean }>;
  signOutEverywhereAction: ServerAction<Record<string, never>, { ok: boolean }>;
}) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();

  // This device's session has ended on the server: clear the cookie and go to the sign-in page.
  const leave = () => signOut({ callbackUrl: '/login' });

  return (
    <Card data-testid="devices">
      <CardHeader
        title="Signed-in devices"
        description="Every browser signed in to your account. Signing one out ends its session at once; a copied cookie stops working too."
        action={
          <Button
            variant="danger"
            disabled={pending}
            onClick={() =>
              startTransition(async () => {
                setError(null);
                const result = await signOutEverywhereAction({});
                if (!result.ok) return setError(result.error.message);
                await leave();
              })
            }
          >
            Sign out everywhere
          </Button>
        }
      />
      {error ? <div className="px-5 pt-4 sm:px-6"><FormError>{error}</FormError></div> : null}
      <ul className="divide-y divide-white/5">
        {devices.map((d) => (
          <li key={d.id} className="flex flex-col gap-2 px-5 py-3 sm:flex-row sm:items-center sm:justify-between sm:px-6" data-testid="device">
            <div className="min-w-0 text-sm">
              <p className="font-medium text-white">
                {d.userAgent || 'Unknown device'} {d.current ? <Badge tone="green">This device</Badge> : null}
              </p>
              <p className="text-xs text-slate-400">
                {d.address ? <>Near <span className="font-mono">{d.address}</span> · </> : null}
                Signed in {when(d.createdAt)} · last seen {when(d.lastSeenAt)}
              </p>
            </div>
            {d.current ? null : (
            <Button
              variant="secondary"
              disabled={pending}
              aria-label={`Sign out ${d.userAgent} signed in ${when(d.createdAt)}`}
              onClick={() =>
                startTransition(async () => {
                  setError(null);
                  const result = await endSessionAction({ id: d.id });
                  if (!result.ok) return setError(result.error.message);
                  if (result.data.self) return void (await leave());
                  router.refresh();
                })
              }
            >
              Sign out
            </Button>
            )}
          </li>
        ))}
      </ul>
    </Card>
  );
}
