package io.stratus.broker.auth.acl;

import java.util.Locale;

/** What a policy rule allows or denies. */
public enum Action {
    /** Sending a PUBLISH to a topic name (a will message too). */
    PUBLISH,
    /** Subscribing with a topic filter. */
    SUBSCRIBE,
    /** Being sent a message on a topic name through a subscription (retained messages too). */
    RECEIVE;

    /** @return the action's name as configuration writes it: {@code publish}, {@code subscribe}, {@code receive} */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
