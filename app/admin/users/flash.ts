// The cookie that carries an operator action's outcome back to /admin/users/[id] (a 'use server' file may only export actions).
export const USERS_FLASH_COOKIE = 'sluice_users_flash';
