-- A TOTP code works once (RFC 6238 §5.2): the time step (Unix time / 30 s) of the last code accepted
-- for the account is kept, and a code is accepted only when its step is later, by a conditional
-- UPDATE (… WHERE totp_last_step IS NULL OR totp_last_step < $step) so that two sign-ins with the
-- same code at the same moment cannot both succeed (lib/accounts/two-factor.ts). NULL: no code
-- accepted yet. An INTEGER step lasts until the year 4000.
ALTER TABLE "users" ADD COLUMN "totp_last_step" INTEGER;
