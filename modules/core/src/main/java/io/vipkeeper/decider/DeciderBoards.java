package io.vipkeeper.decider;

import org.apache.pekko.actor.typed.ActorRef;

/**
 * What the deciders running on a node share there: where every group is placed, and whether each
 * holder's renewals still arrive. Every node has both; the deciders use the ones where they run.
 */
public record DeciderBoards(ActorRef<PlacementBoard.Command> placement, ActorRef<RenewalWatch.Command> renewals) {}
