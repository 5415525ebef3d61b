package io.vipkeeper.decider;

import io.vipkeeper.holder.InterfaceActor;
import io.vipkeeper.ledger.EpochLedger;
import io.vipkeeper.membership.Members;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.receptionist.Receptionist;

/** The interface actors and epoch ledgers the receptionist lists, by the cluster address of their node. */
final class NodeLookup {

  private final Members members;
  private Map<String, ActorRef<InterfaceActor.Command>> interfaces = Map.of();
  private Map<String, ActorRef<EpochLedger.Command>> ledgers = Map.of();

  NodeLookup(Members members) {
    this.members = members;
  }

  /**
   * Takes in a listing; true once both kinds have been listed at least once. Every instance, also
   * those on nodes someone marked unreachable: the plain listing leaves them out, and a holder that
   * vanished with it was neither asked to release nor counted silent, so the move was not fenced (a
   * flapping link: the new holder claimed 40 ms before the old one released, two MACs answered).
   */
  boolean listed(Receptionist.Listing listing) {
    if (listing.isForKey(InterfaceActor.KEY)) interfaces = byAddress(listing.getAllServiceInstances(InterfaceActor.KEY));
    if (listing.isForKey(EpochLedger.KEY)) ledgers = byAddress(listing.getAllServiceInstances(EpochLedger.KEY));
    return !interfaces.isEmpty() && !ledgers.isEmpty();
  }

  private <T> Map<String, ActorRef<T>> byAddress(Set<ActorRef<T>> refs) {
    Map<String, ActorRef<T>> map = new HashMap<>();
    for (ActorRef<T> ref : refs) map.put(members.addressOf(ref), ref);
    return Map.copyOf(map);
  }

  Set<String> interfaceNodes() {
    return interfaces.keySet();
  }

  Set<String> ledgerNodes() {
    return ledgers.keySet();
  }

  /** Null when not listed. */
  ActorRef<InterfaceActor.Command> interfaceOf(String address) {
    return interfaces.get(address);
  }

  ActorRef<EpochLedger.Command> ledgerOf(String address) {
    return ledgers.get(address);
  }

  Optional<ActorRef<InterfaceActor.Command>> localInterface() {
    return Optional.ofNullable(interfaces.get(members.selfAddress()));
  }
}
