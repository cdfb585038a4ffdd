// The website's operations, persisted: `GET /graphql?id=<sha256>&variables=<json>` runs one by the
// SHA-256 (hex) of its document, so the page sends a short, cacheable URL instead of the query text.
// Each entry is the document and its hash, both spelled here; a test checks every hash and runs
// every document against the schema. POST takes the same documents as text (or any other query,
// under the limits).

export interface PersistedQuery {
  /** The operation's name. Example: `"ManageEvent"`. */
  name: string;
  /** SHA-256 of `document` (UTF-8), lower-case hex. */
  sha256: string;
  document: string;
}

export const PERSISTED_QUERIES: PersistedQuery[] = [
  {
    // The manage page: GET /me/events/{id} and GET /events/{id}/invitations in one request.
    name: "ManageEvent",
    sha256: "f172bb7e43029b113ed9100474157096ac762f64bea86f5153de15c4db716809",
    document: `query ManageEvent($id: ID!) {
  myEvent(id: $id) {
    id
    title
    description
    startsAt
    durationMinutes
    endsAt
    visibility
    status
    publishedAt
    category
    coverUrl
    videoUrl
    confirmedCount
    createdAt
    updatedAt
    canceledAt
    joinUrl
    video {
      state
      posterUrl
      streamUrl
    }
    price {
      amount
      currency
    }
    series {
      id
      frequency
      by
      timeZone
      until
      count
      rule
      firstStartsAt
      occurrences
      occurrence
      continues
      continuedBy
    }
    invitations {
      items {
        email
        status
        invitedAt
        answeredAt
        answerChanges
        undeliverable {
          reason
          at
        }
        payment {
          amount
          currency
          state
          at
          paidAt
        }
        history {
          answer
          at
        }
      }
      counts {
        yes
        no
        pending
        undeliverable
        paid
        paymentPending
        collected {
          amount
          currency
        }
      }
      nextCursor
    }
  }
}
`,
  },
  {
    // The public list (GET /events's default list, by category): the same for everyone, so cacheable.
    name: "PublicEvents",
    sha256: "2cd6e4c8e6c42edc691088a89d309a622ffee543839f8ae9f89ff277a25a4c79",
    document: `query PublicEvents($cursor: String, $category: EventCategory) {
  events(cursor: $cursor, category: $category) {
    items {
      id
      title
      startsAt
      durationMinutes
      visibility
      status
      publishedAt
      hasCover
      category
      confirmedCount
      seriesId
      occurrence
    }
    nextCursor
  }
}
`,
  },
];

/** The persisted document with this hash, if any. */
export const persistedQuery = (sha256: string): PersistedQuery | undefined => PERSISTED_QUERIES.find((q) => q.sha256 === sha256);
