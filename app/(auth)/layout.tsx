// Sign-in and sign-up: one centred card on a quiet glow.
export default function AuthLayout({ children }: { children: React.ReactNode }) {
  return (
    <div className="relative flex min-h-[calc(100vh-8rem)] items-center justify-center overflow-hidden px-4 py-12">
      <div aria-hidden className="pointer-events-none absolute inset-x-0 top-0 -z-10 mx-auto h-72 max-w-2xl rounded-full bg-brand-500/10 blur-3xl" />
      <div className="w-full max-w-sm">{children}</div>
    </div>
  );
}
