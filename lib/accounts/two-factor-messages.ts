// What the sign-in answers about the second factor; shared with the sign-in form (no otplib there).

/** The password was right and a code is needed: the form then asks for it. */
export const TWO_FACTOR_REQUIRED_MESSAGE = 'Enter the 6-digit code from your authenticator app, or a recovery code.';
export const WRONG_CODE_MESSAGE = 'Wrong two-factor code.';
