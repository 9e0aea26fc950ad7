package shop

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"
)

// Kind names what a mutation does. Kinds are part of the store API.
type Kind string

// The mutation kinds. Each has a payload type below; the comment names the entity it targets.
const (
	KindChatSend      Kind = "chat.send"      // entity: conversation; data: ChatSend (append-only)
	KindChatRead      Kind = "chat.read"      // entity: conversation; data: none
	KindChatClaim     Kind = "chat.claim"     // entity: conversation; first claim wins
	KindChatTransfer  Kind = "chat.transfer"  // entity: conversation; data: ChatTransfer
	KindChatClose     Kind = "chat.close"     // entity: conversation
	KindChatReopen    Kind = "chat.reopen"    // entity: conversation
	KindOrderNote     Kind = "order.note"     // entity: order; data: OrderNoteAdd (append-only note + flag)
	KindOrderAddress  Kind = "order.address"  // entity: order; data: AddressCheckSet
	KindOrderCODCall  Kind = "order.cod_call" // entity: order; data: CODCall
	KindOrderRemind   Kind = "order.remind"   // entity: order; data: Remind
	KindOrderClose    Kind = "order.close"    // entity: order; data: OrderCloseData
	KindOrderShipNote Kind = "order.ship_notice"
	KindCaseOpen      Kind = "case.open" // entity: new case id; data: CaseOpenData
	KindCaseMove      Kind = "case.move" // entity: case; data: Move
	KindStockAdjust   Kind = "stock.adjust"
	KindStockSet      Kind = "stock.set"       // compare-and-set of warehouse stock
	KindStockLow      Kind = "stock.threshold" // entity: product; data: StockThreshold
	KindReviewMove    Kind = "review.move"     // entity: review; data: Move
	KindReviewReply   Kind = "review.reply"    // entity: review; data: ReviewReplyData
	KindReviewBuyer   Kind = "review.rate_buyer"
	KindReviewContact Kind = "review.contact" // entity: review; data: ReviewContactData
	KindEvidenceAdd   Kind = "evidence.add"   // entity: new evidence id; data: Evidence (append-only)
	KindCustomerSet   Kind = "customer.set"   // entity: customer; data: CustomerSet (last writer wins per field)
	KindCustomerAdd   Kind = "customer.add"   // entity: new customer id; data: Customer
	KindPhrasePut     Kind = "phrase.put"     // entity: phrase; data: QuickPhrase
	KindPhraseDelete  Kind = "phrase.delete"
	KindPhraseUse     Kind = "phrase.use"
	KindAutoReplyPut  Kind = "autoreply.put" // entity: "rules"; data: AutoReplies
	KindGroupPut      Kind = "group.put"     // entity: group; data: Group
	KindGroupDelete   Kind = "group.delete"
	KindComplaintOpen Kind = "complaint.open" // entity: new complaint id; data: Complaint
	KindComplaintMove Kind = "complaint.move" // entity: complaint; data: Move
)

// Kinds lists every mutation kind.
var Kinds = []Kind{
	KindChatSend, KindChatRead, KindChatClaim, KindChatTransfer, KindChatClose, KindChatReopen,
	KindOrderNote, KindOrderAddress, KindOrderCODCall, KindOrderRemind, KindOrderClose, KindOrderShipNote,
	KindCaseOpen, KindCaseMove, KindStockAdjust, KindStockSet, KindStockLow,
	KindReviewMove, KindReviewReply, KindReviewBuyer, KindReviewContact, KindEvidenceAdd,
	KindCustomerSet, KindCustomerAdd, KindPhrasePut, KindPhraseDelete, KindPhraseUse,
	KindAutoReplyPut, KindGroupPut, KindGroupDelete, KindComplaintOpen, KindComplaintMove,
}

// Mutation is one staff action, made on a desk and applied exactly once by the server.
type Mutation struct {
	ID     string          `json:"id"`     // UUIDv7 made on the desk: sorts by time, unique everywhere
	Kind   Kind            `json:"kind"`   // what the action does
	Entity string          `json:"entity"` // id of the entity it targets (or creates)
	Base   int64           `json:"base"`   // the entity's version (feed seq) the desk saw; 0 if none
	At     time.Time       `json:"at"`     // desk clock when the staff member acted
	Staff  string          `json:"staff"`  // staff number; the server replaces it with the token's
	Data   json.RawMessage `json:"data,omitempty"`
}

// NewID returns a new UUIDv7 as a string: unique, and sorting by creation time.
func NewID() string { return uuid.Must(uuid.NewV7()).String() }

// NewMutation builds a mutation with a fresh id, encoding data as its payload.
func NewMutation(kind Kind, entity string, staff string, at time.Time, data any) (Mutation, error) {
	m := Mutation{ID: NewID(), Kind: kind, Entity: entity, Staff: staff, At: at}
	if data != nil {
		b, err := json.Marshal(data)
		if err != nil {
			return Mutation{}, err
		}
		m.Data = b
	}
	return m, nil
}

// ChatSend is a staff message, product or order card sent into a conversation.
type ChatSend struct {
	MessageID string `json:"message_id"` // id of the new message; made on the desk
	Text      string `json:"text"`
	Card      *Card  `json:"card,omitempty"`
}

// ChatTransfer hands a conversation to another staff member.
type ChatTransfer struct {
	To string `json:"to"` // staff number
}

// OrderNoteAdd appends a note to an order and sets its flag.
type OrderNoteAdd struct {
	NoteID string `json:"note_id"`
	Flag   Flag   `json:"flag"`
	Text   string `json:"text"`
	Reason string `json:"reason,omitempty"`
}

// AddressCheckSet records the after-payment address check.
type AddressCheckSet struct {
	NoteID  string       `json:"note_id"` // id of the note that records the check
	Result  AddressCheck `json:"result"`
	Address *Address     `json:"address,omitempty"` // the new address when Result is changed
	Courier string       `json:"courier,omitempty"` // courier the customer prefers
}

// CODCall records a cash-on-delivery confirmation call.
type CODCall struct {
	NoteID  string      `json:"note_id"`
	Outcome CallOutcome `json:"outcome"`
}

// Remind records a payment reminder (催付) and sends its text into the customer's chat.
type Remind struct {
	MessageID      string `json:"message_id"`
	ConversationID string `json:"conversation_id"`
	Text           string `json:"text"`
	Force          bool   `json:"force,omitempty"` // send even if reminded today
}

// OrderCloseData closes an unpaid duplicate or impulse order.
type OrderCloseData struct {
	NoteID string `json:"note_id"`
	Reason string `json:"reason"`
}

// ShipNotice tells the customer the parcel shipped.
type ShipNotice struct {
	MessageID      string `json:"message_id"`
	ConversationID string `json:"conversation_id"`
	Text           string `json:"text"`
	Force          bool   `json:"force,omitempty"` // send even if a notice was sent already
}

// CaseOpenData opens an after-sales case.
type CaseOpenData struct {
	OrderID string    `json:"order_id"`
	Kind    CaseKind  `json:"kind"`
	Owner   string    `json:"owner"`
	Due     time.Time `json:"due"`
	Summary string    `json:"summary"`
}

// Move asks a state machine to move from one state to another; the server checks the move.
type Move struct {
	From string `json:"from"`
	To   string `json:"to"`
	Note string `json:"note,omitempty"`
}

// StockAdjust changes a variant's warehouse stock by Delta, with a reason.
type StockAdjust struct {
	SKU    string `json:"sku"`
	Delta  int    `json:"delta"`
	Reason string `json:"reason"`
}

// StockSet sets a variant's warehouse stock if it still is Expected (compare-and-set).
type StockSet struct {
	SKU       string `json:"sku"`
	Expected  int    `json:"expected"`
	Warehouse int    `json:"warehouse"`
	Reason    string `json:"reason"`
}

// StockThreshold sets a product's low-stock threshold.
type StockThreshold struct {
	LowStock int `json:"low_stock"`
}

// ReviewReplyData is the seller's public explanation of a review.
type ReviewReplyData struct {
	Text string `json:"text"`
}

// ReviewBuyerData is the shop's review of the buyer after a completed order.
type ReviewBuyerData struct {
	Stars int    `json:"stars"`
	Text  string `json:"text"`
}

// ReviewContactData logs that the buyer was contacted from the review.
type ReviewContactData struct {
	ConversationID string `json:"conversation_id"`
	MessageID      string `json:"message_id,omitempty"`
	Text           string `json:"text,omitempty"` // the message sent, if any
}

// CustomerSet sets some of a customer's fields; each named field is last-writer-wins.
type CustomerSet struct {
	Name     *string   `json:"name,omitempty"`
	Phone    *string   `json:"phone,omitempty"`
	Birthday *string   `json:"birthday,omitempty"`
	City     *string   `json:"city,omitempty"`
	VIP      *int      `json:"vip,omitempty"`
	Tags     *[]string `json:"tags,omitempty"`
	Groups   *[]string `json:"groups,omitempty"`
	Sizes    *string   `json:"sizes,omitempty"`
	Styles   *string   `json:"styles,omitempty"`
	Memo     *string   `json:"memo,omitempty"`
	OptOut   *bool     `json:"opt_out,omitempty"`
}
