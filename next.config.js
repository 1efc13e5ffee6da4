// Next.js configuration. Sluice runs Next inside its own server (server/index.mts), so packages
// that hold process-wide state (the embedded database, Redis, Prisma) stay external to the bundle.
/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  // forbidden() from next/navigation: the operators' pages answer 403 to a signed-in non-operator
  // (app/admin/require-admin.ts, app/admin/forbidden.tsx).
  experimental: { authInterrupts: true },
  reactStrictMode: true,
  serverExternalPackages: [
    '@electric-sql/pglite',
    'pglite-prisma-adapter',
    '@prisma/client',
    '@prisma/adapter-pg',
    'pg',
    'ioredis',
    'pino',
    '@node-rs/argon2',
    'rate-limiter-flexible',
    'stripe',
    'maxmind',
  ],
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          // Content-Security-Policy is set per request with a nonce by proxy.ts (lib/csp.ts).
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'no-referrer' },
          { key: 'X-Frame-Options', value: 'DENY' },
        ],
      },
    ];
  },
};

export default nextConfig;
