/**
 * An optional, stricter rule for tenant ids than S6 (the `tenantId` option). S6 accepts any
 * printable string by design (`../etc`, `<script>`, look-alike Unicode), because ids come in
 * every shape; an app that uses ids in file paths, HTML or URLs narrows them here.
 */
import { TenantError } from './errors.js'
import { validateTenantId } from './tenant-id.js'

/**
 * What a tenant id must also be, beyond S6. Given as the `tenantId` option, applied to every
 * id a source yields and to `defaultTenant`. Order: `normalize`, then S6, then `pattern`, then
 * `validate`; an id that fails is `TENANT_INVALID` (400), with a message that does not echo it.
 *
 * Not applied by `setTenant()` / `withTenant()`: they take ids from your code, not from
 * requests, and have no options. Check such ids with {@link createTenantIdCheck} if they come
 * from outside (a queue message, a file).
 *
 * @example
 * ```ts
 * traciumTenant({ tenantId: SLUG_TENANT_ID })
 * traciumTenant({ tenantId: { pattern: /org_[0-9]{1,12}/ } }) // anchored: the whole id must match
 * traciumTenant({ tenantId: { normalize: 'NFC', validate: (id) => tenants.has(id) } })
 * ```
 */
export interface TenantIdPolicy {
  /**
   * A RegExp the WHOLE id must match. It is anchored for you (`/org_\d+/` is tested as
   * `^(?:org_\d+)$`), and the `g`, `y` and `m` flags are dropped, so a match inside a longer id
   * never passes. It runs on every request's id (at most 255 characters, since S6 runs
   * first): keep it free of nested quantifiers. Default: none.
   */
  readonly pattern?: RegExp
  /**
   * Called with the id (after `normalize`, S6 and `pattern`); only `true` accepts. A thrown
   * error goes to the framework's error handling, as with `authorize`. Default: none.
   */
  readonly validate?: (id: string) => boolean
  /**
   * `'NFC'`: Unicode canonical composition before anything else, so `é` typed as one code
   * point or as `e` + combining accent is one tenant, not two. NFKC is not offered: it also
   * folds compatibility characters (`ﬁ` → `fi`, `²` → `2`, full-width `Ａ` → `A`), changing
   * ids rather than unifying spellings, and still leaves confusables apart (Cyrillic `а` and
   * Latin `a` stay two tenants); to keep look-alikes out, allow ASCII only with a `pattern`.
   * Default: none (ids are taken code point for code point).
   */
  readonly normalize?: 'NFC'
}

/** Lower-case slugs: `a-z`, `0-9` and inner hyphens, 1–63 characters (a DNS label). */
export const SLUG_TENANT_ID: TenantIdPolicy = Object.freeze({
  pattern: /[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?/,
})

/**
 * UUIDs in their canonical lower-case form (RFC 9562 §4), any version: an upper-case spelling
 * is refused rather than becoming a second tenant.
 */
export const UUID_TENANT_ID: TenantIdPolicy = Object.freeze({
  pattern: /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/,
})

/**
 * ASCII letters and digits, then also `_`, `-`, `.` and `:` (so `org_123:workspace_456`
 * passes), up to 255 characters. No `/`, `\`, `<`, `>`, quotes, `&`, `%` or white space, and
 * it cannot start with `.`: safe as a file name, in a URL path and in HTML text. Case still
 * matters (`Acme` and `acme` are two tenants).
 */
export const ASCII_TENANT_ID: TenantIdPolicy = Object.freeze({
  pattern: /[A-Za-z0-9][A-Za-z0-9_.:-]{0,254}/,
})

/**
 * Compiles `policy` into a check that returns the accepted (normalized) id or throws
 * `TenantError('TENANT_INVALID')`. The resolver uses it for the `tenantId` option; call it
 * yourself for ids your code passes to `setTenant()` from outside input.
 *
 * @example
 * ```ts
 * const checkTenantId = createTenantIdCheck(SLUG_TENANT_ID)
 * setTenant(checkTenantId(message.tenant)) // throws TENANT_INVALID for '../etc'
 * ```
 */
export function createTenantIdCheck(policy: TenantIdPolicy): (value: unknown) => string {
  const { validate, normalize } = policy
  const pattern =
    policy.pattern === undefined
      ? undefined
      : new RegExp(`^(?:${policy.pattern.source})$`, policy.pattern.flags.replace(/[gym]/g, ''))
  return (value) => {
    const id = validateTenantId(
      normalize === 'NFC' && typeof value === 'string' ? value.normalize('NFC') : value,
    )
    if (pattern !== undefined && !pattern.test(id)) throw refused()
    if (validate !== undefined && validate(id) !== true) throw refused()
    return id
  }
}

function refused(): TenantError {
  return new TenantError(
    'TENANT_INVALID',
    'Invalid tenant id: it does not have the form this service accepts.',
  )
}
