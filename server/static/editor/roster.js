// Who a project is shared with, as the channel tells it (`hello.members`, then `member.updated`
// and `member.removed`), and the names and pictures to show for a user id wherever they come from.

export class Roster {
  /** session: the signed-in user ({userId, name?, imageUrl?}), who knows their own name. */
  constructor(session) {
    this.session = session;
    this.members = new Map(); // user id -> {userId, role, name?, imageUrl?, addedAt}, owner first
    this.seen = new Map(); // user id -> {name?, imageUrl?} from presence, which may carry them first
  }

  reset(members) {
    this.members = new Map(members.map((member) => [member.userId, member]));
  }

  updated(member) {
    this.members.set(member.userId, member);
  }

  removed(userId) {
    this.members.delete(userId);
  }

  /** A presence client: its name and picture serve for that user wherever the members lack them. */
  learn(client) {
    if (client.name || client.imageUrl) this.seen.set(client.userId, { name: client.name, imageUrl: client.imageUrl });
  }

  /** {userId, name?, imageUrl?}: whatever is known of the user, the member entry first. */
  person(userId) {
    const member = this.members.get(userId) ?? {};
    const seen = this.seen.get(userId) ?? {};
    const own = userId === this.session.userId ? this.session : {};
    return {
      userId,
      name: member.name || seen.name || own.name || null,
      imageUrl: member.imageUrl || seen.imageUrl || own.imageUrl || null,
    };
  }

  /** The members in the channel's order: the owner first, then as they came. */
  list() {
    return [...this.members.values()];
  }
}
