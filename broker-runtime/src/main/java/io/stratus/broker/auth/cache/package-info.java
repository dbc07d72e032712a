/**
 * What keeps a reconnect storm from overwhelming a slow authenticator: cached decisions (negative
 * ones too), one verification per credential at a time, and backoff by client id and address.
 */
package io.stratus.broker.auth.cache;
