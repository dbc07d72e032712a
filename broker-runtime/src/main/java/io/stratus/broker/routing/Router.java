package io.stratus.broker.routing;

import io.stratus.broker.message.Message;
import io.stratus.broker.session.Delivery;
import io.stratus.broker.session.Session;
import io.stratus.broker.tenant.TenantSpace;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Routes a published message to the sessions of its tenant whose subscriptions match: one copy per
 * session at the highest QoS of its matching subscriptions, carrying all their identifiers
 * [MQTT-3.3.4-2], [MQTT-3.3.4-3], and one member per shared-subscription group (§4.8.2).
 * Thread-safe; runs on whichever lane the publisher is on and hands each delivery to the
 * subscriber's lane.
 */
public final class Router implements Session.Outlet {

    /**
     * Publishes a message inside its tenant: stores or clears it as retained if its RETAIN flag is
     * set, then delivers it to every matching subscription.
     *
     * @param publisher the publishing session (for No Local), or null for messages of the broker
     * @return how many sessions it was handed to
     */
    public int publish(TenantSpace tenant, Message message, Session publisher) {
        if (message.retain() && !tenant.retained().put(message)) {
            tenant.metrics().retainedRefused.increment(); // the store is full: still delivered live
        }
        Collector collector = new Collector(publisher, message.qos());
        tenant.topics().match(message.topic(), collector);
        return collector.dispatch(message);
    }

    @Override
    public void publishWill(TenantSpace tenant, Message will) {
        tenant.metrics().willsPublished.increment();
        publish(tenant, will, null);
    }

    @Override
    public boolean reroute(TenantSpace tenant, Session from, Delivery delivery) {
        SharedGroup group = delivery.sharedGroup();
        for (Subscription member : group.members()) {
            if (member.subscriber() != from && member.subscriber().isOnline()) {
                ((Session) member.subscriber()).offer(sharedDelivery(delivery.message(), group, member));
                return true;
            }
        }
        return false;
    }

    private static Delivery sharedDelivery(Message message, SharedGroup group, Subscription member) {
        int qos = Math.min(message.qos(), member.options().qos());
        boolean retain = member.options().retainAsPublished() && message.retain();
        int[] ids = member.subscriptionId() > 0 ? new int[] {member.subscriptionId()} : new int[0];
        return new Delivery(message, qos, retain, ids, group);
    }

    /** What the matching subscriptions of one session decided. */
    private static final class Aggregate {
        final Session session;
        int qos = -1;
        boolean retainAsPublished;
        int[] ids = new int[0];

        Aggregate(Session session) {
            this.session = session;
        }

        void merge(Subscription s, int publishedQos) {
            qos = Math.max(qos, Math.min(publishedQos, s.options().qos()));
            retainAsPublished |= s.options().retainAsPublished();
            if (s.subscriptionId() > 0) {
                ids = Arrays.copyOf(ids, ids.length + 1);
                ids[ids.length - 1] = s.subscriptionId();
            }
        }
    }

    /** Collects matches; the common case of one subscriber allocates no map. */
    private static final class Collector implements MatchVisitor {
        private final Session publisher;
        private final int publishedQos;
        private Aggregate first;
        private Map<Session, Aggregate> more;
        private List<SharedGroup> groups;

        Collector(Session publisher, int publishedQos) {
            this.publisher = publisher;
            this.publishedQos = publishedQos;
        }

        @Override
        public void onSubscription(Subscription s) {
            Session session = (Session) s.subscriber();
            if (s.options().noLocal() && session == publisher) {
                return; // [MQTT-3.8.3-3]
            }
            aggregateFor(session).merge(s, publishedQos);
        }

        @Override
        public void onSharedGroup(SharedGroup group) {
            if (groups == null) {
                groups = new ArrayList<>(2);
            }
            groups.add(group);
        }

        private Aggregate aggregateFor(Session session) {
            if (first == null) {
                first = new Aggregate(session);
                return first;
            }
            if (first.session == session) {
                return first;
            }
            if (more == null) {
                more = new IdentityHashMap<>();
            }
            return more.computeIfAbsent(session, Aggregate::new);
        }

        int dispatch(Message message) {
            int count = 0;
            if (first != null) {
                deliver(first, message);
                count++;
                if (more != null) {
                    for (Aggregate a : more.values()) {
                        deliver(a, message);
                        count++;
                    }
                }
            }
            if (groups != null) {
                for (SharedGroup group : groups) {
                    Subscription member = group.pick();
                    if (member != null) {
                        ((Session) member.subscriber()).offer(sharedDelivery(message, group, member));
                        count++;
                    }
                }
            }
            return count;
        }

        private static void deliver(Aggregate a, Message message) {
            // [MQTT-3.3.1-12], [MQTT-3.3.1-13]: RETAIN is kept only for Retain As Published
            boolean retain = a.retainAsPublished && message.retain();
            a.session.offer(new Delivery(message, a.qos, retain, a.ids, null));
        }
    }
}
