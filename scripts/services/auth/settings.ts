import { parse } from "smol-toml";

// The [auth] settings of supabase/config.toml the stand-in honours, with
// Supabase Auth's defaults where the file is silent.
export type AuthSettings = {
  jwtExpiry: number;
  enableSignup: boolean;
  enableConfirmations: boolean;
  minimumPasswordLength: number;
  enableAnonymousSignIns: boolean;
};

type AuthSection = {
  jwt_expiry?: number;
  enable_signup?: boolean;
  minimum_password_length?: number;
  enable_anonymous_sign_ins?: boolean;
  email?: { enabled?: boolean; enable_confirmations?: boolean; enable_signup?: boolean };
};

export function authSettings(configText: string): AuthSettings {
  const auth = ((parse(configText) as { auth?: AuthSection }).auth ?? {}) as AuthSection;
  return {
    jwtExpiry: auth.jwt_expiry ?? 3600,
    enableSignup: (auth.enable_signup ?? true) && (auth.email?.enable_signup ?? true) &&
      (auth.email?.enabled ?? true),
    enableConfirmations: auth.email?.enable_confirmations ?? false,
    minimumPasswordLength: auth.minimum_password_length ?? 6,
    enableAnonymousSignIns: auth.enable_anonymous_sign_ins ?? false,
  };
}
