// Next.js configuration. Sluice runs Next inside its own server (server/index.mts), so packages
// that hold process-wide state (the embedded database, Redis, Prisma) stay external to the bundle.
const contentSecurityPolicy = [
  "default-src 'self'",
  `script-src 'self' 'unsafe-inline'${process.env.NODE_ENV === 'development' ? " 'unsafe-eval'" : ''}`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self' ws: wss:",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
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
  ],
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          // Indicator values are attacker-controlled: even if one ever escaped React's escaping, no
          // script from elsewhere runs and nothing is fetched from elsewhere. Next's own inline
          // scripts need 'unsafe-inline' (nonces would make every page dynamic).
          { key: 'Content-Security-Policy', value: contentSecurityPolicy },
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'no-referrer' },
          { key: 'X-Frame-Options', value: 'DENY' },
        ],
      },
    ];
  },
};

export default nextConfig;
