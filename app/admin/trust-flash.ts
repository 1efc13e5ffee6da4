// The cookie that carries a trust action's outcome to the next render of /admin.
export const TRUST_FLASH_COOKIE = 'sluice-trust-flash';
