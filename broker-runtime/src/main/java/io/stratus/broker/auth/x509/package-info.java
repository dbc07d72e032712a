/**
 * X.509 client certificate authentication: PKIX validation against the tenant's CAs at the broker's
 * clock, identity from the CN or a subject alternative name, revocation by issuer and serial.
 */
package io.stratus.broker.auth.x509;
