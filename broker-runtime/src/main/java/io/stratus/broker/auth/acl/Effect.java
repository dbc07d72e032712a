package io.stratus.broker.auth.acl;

/** Whether a matching rule allows or denies; deny wins over allow. */
public enum Effect {
    ALLOW,
    DENY
}
