package shop

import (
	"fmt"
	"time"
)

// EntityType names a kind of stored entity. Records in localdb, on the server and in the change
// feed are addressed by (EntityType, ID).
type EntityType string

// The entity types. Their JSON values are part of the store API.
const (
	TypeShop         EntityType = "shop"
	TypeStaff        EntityType = "staff"
	TypeCustomer     EntityType = "customer"
	TypeProduct      EntityType = "product"
	TypeOrder        EntityType = "order"
	TypeNote         EntityType = "note"
	TypeCase         EntityType = "case"
	TypeReview       EntityType = "review"
	TypeConversation EntityType = "conversation"
	TypeMessage      EntityType = "message"
	TypePhrase       EntityType = "phrase"
	TypeComplaint    EntityType = "complaint"
	TypeAutoReply    EntityType = "autoreply"
	TypeGroup        EntityType = "group"
	TypeEvidence     EntityType = "evidence"
	TypeChannel      EntityType = "channel"  // an API channel (channels.go)
	TypeDelivery     EntityType = "delivery" // a message's delivery to its channel's webhook
)

// EntityTypes lists every entity type, in the order a fresh desk is happiest to receive them.
var EntityTypes = []EntityType{
	TypeShop, TypeStaff, TypeAutoReply, TypePhrase, TypeGroup, TypeProduct, TypeCustomer,
	TypeOrder, TypeNote, TypeCase, TypeReview, TypeEvidence, TypeComplaint, TypeConversation, TypeMessage,
	TypeChannel, TypeDelivery, TypeTeam, TypeCall, TypeHandover, TypeConcession, TypeOutage, TypeConcessionTally,
	TypeRanking,
}

// Known reports whether t is one of the entity types.
func (t EntityType) Known() bool {
	for _, k := range EntityTypes {
		if k == t {
			return true
		}
	}
	return false
}

// Cents is an amount of money in fen (1/100 yuan).
type Cents int64

// String formats the amount as the shop shows it, e.g. ¥128.50.
func (c Cents) String() string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s¥%d.%02d", sign, c/100, c%100)
}

// Shop is one online shop: the unit of data separation on the server.
type Shop struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Platform  string `json:"platform,omitempty"` // taobao, jd, pdd, shopify, woocommerce
	Courier   string `json:"courier,omitempty"`  // default courier, e.g. 中通
	Promotion string `json:"promotion,omitempty"`
	ChatURL   string `json:"chat_url,omitempty"` // the customer chat page the shop's QR codes point to
	// WidgetSites are the origins (https://shop.example.com) whose pages may show the chat
	// widget, which frames the chat page; none means no site may.
	WidgetSites []string `json:"widget_sites,omitempty"`
}

// Role is what a staff member may do.
type Role string

// Staff roles.
const (
	RoleOwner   Role = "owner"   // the shop's owner: manages staff and settings
	RoleManager Role = "manager" // team lead: everything but staff management
	RoleAgent   Role = "agent"   // customer-service agent
)

// Staff is a staff member of one shop, known by the staff number (工号) on every note.
type Staff struct {
	Number    string `json:"number"` // 工号, e.g. "1001"
	Name      string `json:"name"`
	Role      Role   `json:"role"`
	Signature string `json:"signature,omitempty"` // 个性签名 shown under the staff's messages
}

// ID returns the staff number, the staff entity's id.
func (s Staff) ID() string { return s.Number }

// Customer is a buyer of the shop.
type Customer struct {
	ID          string    `json:"id"`
	Nick        string    `json:"nick"` // platform nickname, how the customer appears in chat
	Name        string    `json:"name,omitempty"`
	Phone       string    `json:"phone,omitempty"`
	Birthday    string    `json:"birthday,omitempty"` // MM-DD, or YYYY-MM-DD when the year is known
	City        string    `json:"city,omitempty"`
	VIP         int       `json:"vip,omitempty"` // VIP level 0..5
	Tags        []string  `json:"tags,omitempty"`
	Groups      []string  `json:"groups,omitempty"` // ids of manual groups
	Sizes       string    `json:"sizes,omitempty"`  // preferred sizes, e.g. "110, 120"
	Styles      string    `json:"styles,omitempty"`
	Memo        string    `json:"memo,omitempty"`
	OptOut      bool      `json:"opt_out,omitempty"` // no bulk messages
	CreatedAt   time.Time `json:"created_at"`
	ChangedBy   string    `json:"changed_by,omitempty"` // staff number of the last field edit
	ChangedAt   time.Time `json:"changed_at,omitzero"`
	ChangedWhat string    `json:"changed_what,omitempty"`
	Email       string    `json:"email,omitempty"`
	// External are the customer's ids in the outside systems of API channels.
	External []ExternalID `json:"external,omitempty"`
}

// VIPDiscount is the discount in percent off for a VIP level (0 for none).
func VIPDiscount(level int) int {
	switch {
	case level >= 5:
		return 15
	case level == 4:
		return 12
	case level == 3:
		return 10
	case level == 2:
		return 5
	case level == 1:
		return 2
	}
	return 0
}

// Variant is one sellable SKU of a product (a size and colour).
type Variant struct {
	SKU       string `json:"sku"`
	Barcode   string `json:"barcode,omitempty"`
	Color     string `json:"color,omitempty"`
	Size      string `json:"size,omitempty"`
	Price     Cents  `json:"price"`
	Listed    int    `json:"listed"`    // stock shown on the shop page
	Warehouse int    `json:"warehouse"` // stock really on the shelf
	Reserved  int    `json:"reserved"`  // in unpaid or unshipped orders
}

// Available is what can still be promised to a customer.
func (v Variant) Available() int {
	if a := v.Warehouse - v.Reserved; a > 0 {
		return a
	}
	return 0
}

// Drift is listed minus warehouse stock: positive when the shop page promises more than exists.
func (v Variant) Drift() int { return v.Listed - v.Warehouse }

// Label is the variant's colour and size, e.g. "藏青 120".
func (v Variant) Label() string {
	switch {
	case v.Color != "" && v.Size != "":
		return v.Color + " " + v.Size
	case v.Color != "":
		return v.Color
	}
	return v.Size
}

// Product is an item the shop sells, with its variants.
type Product struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Category  string    `json:"category,omitempty"`
	URL       string    `json:"url,omitempty"`
	LowStock  int       `json:"low_stock,omitempty"` // threshold for the low-stock list
	Variants  []Variant `json:"variants"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
	UpdatedBy string    `json:"updated_by,omitempty"`
}

// Variant returns the product's variant with the SKU, and whether it exists.
func (p *Product) Variant(sku string) (*Variant, bool) {
	for i := range p.Variants {
		if p.Variants[i].SKU == sku {
			return &p.Variants[i], true
		}
	}
	return nil, false
}

// OrderStatus is where an order is in its life.
type OrderStatus string

// Order statuses.
const (
	StatusUnpaid    OrderStatus = "unpaid"
	StatusPaid      OrderStatus = "paid"
	StatusShipped   OrderStatus = "shipped"
	StatusCompleted OrderStatus = "completed"
	StatusClosed    OrderStatus = "closed"
)

// OrderStatuses lists the statuses in life order.
var OrderStatuses = []OrderStatus{StatusUnpaid, StatusPaid, StatusShipped, StatusCompleted, StatusClosed}

// Payment is how an order is paid.
type Payment string

// Payment methods.
const (
	PayOnline Payment = "online"
	PayCOD    Payment = "cod" // cash on delivery: needs a confirmation call
)

// Address is a shipping address.
type Address struct {
	Receiver string `json:"receiver"`
	Phone    string `json:"phone"`
	Province string `json:"province"`
	City     string `json:"city"`
	District string `json:"district,omitempty"`
	Detail   string `json:"detail"`
	Zip      string `json:"zip,omitempty"` // postcode, when the platform gives one
}

// String is the address on one line, as Chinese couriers print it.
func (a Address) String() string {
	return a.Province + a.City + a.District + a.Detail + " " + a.Receiver + " " + a.Phone
}

// AddressCheck is the state of the after-payment address check.
type AddressCheck string

// Address check states.
const (
	AddressUnchecked AddressCheck = ""
	AddressConfirmed AddressCheck = "confirmed"
	AddressChanged   AddressCheck = "changed"
)

// CallOutcome is the result of a cash-on-delivery confirmation call.
type CallOutcome string

// Call outcomes.
const (
	CallNone      CallOutcome = ""
	CallConfirmed CallOutcome = "confirmed"
	CallRefused   CallOutcome = "refused"
	CallNoAnswer  CallOutcome = "no_answer"
)

// OrderItem is one line of an order.
type OrderItem struct {
	ProductID string `json:"product_id"`
	SKU       string `json:"sku"`
	Name      string `json:"name"`
	Variant   string `json:"variant,omitempty"`
	Qty       int    `json:"qty"`
	Price     Cents  `json:"price"`
}

// Order is a customer's order. Its ID is the platform's order number.
type Order struct {
	ID         string      `json:"id"`
	CustomerID string      `json:"customer_id"`
	Nick       string      `json:"nick"`
	Items      []OrderItem `json:"items"`
	Shipping   Cents       `json:"shipping"`
	Total      Cents       `json:"total"` // items plus shipping
	Status     OrderStatus `json:"status"`
	Payment    Payment     `json:"payment"`
	Address    Address     `json:"address"`
	Courier    string      `json:"courier,omitempty"`
	Tracking   string      `json:"tracking,omitempty"`
	CreatedAt  time.Time   `json:"created_at"`
	PaidAt     time.Time   `json:"paid_at,omitzero"`
	ShippedAt  time.Time   `json:"shipped_at,omitzero"`

	Flag   Flag      `json:"flag"`
	FlagBy string    `json:"flag_by,omitempty"` // staff number that set the flag last
	FlagAt time.Time `json:"flag_at,omitzero"`

	AddressCheck   AddressCheck `json:"address_check,omitempty"`
	AddressCheckBy string       `json:"address_check_by,omitempty"`
	CODCall        CallOutcome  `json:"cod_call,omitempty"`
	CODCallAt      time.Time    `json:"cod_call_at,omitzero"`
	CODCallBy      string       `json:"cod_call_by,omitempty"`
	RemindedAt     time.Time    `json:"reminded_at,omitzero"` // last payment reminder (催付)
	ShipNoticeAt   time.Time    `json:"ship_notice_at,omitzero"`
	CloseReason    string       `json:"close_reason,omitempty"`
	NoteCount      int          `json:"note_count,omitempty"`
	// Conceded is the total of the concessions in force on the order (applied within a staff
	// member's limits or approved by a manager), in fen.
	Conceded Cents `json:"conceded,omitempty"`

	// Source is the platform an imported order came from (taobao, shopify …); empty for one
	// made in Kefu. BuyerMessage is the buyer's message to the shop (买家留言, Shopify's Notes),
	// and PlatformMemo the seller memo (订单备注) as last imported: the import adds it as a note
	// again only when it changes.
	Source       string `json:"source,omitempty"`
	BuyerMessage string `json:"buyer_message,omitempty"`
	PlatformMemo string `json:"platform_memo,omitempty"`
}

// Flag is an order's coloured flag, numbered as Taobao numbers them.
type Flag int

// The six flag colours.
const (
	FlagGrey Flag = iota
	FlagRed
	FlagYellow
	FlagGreen
	FlagBlue
	FlagPurple
)

// Flags lists the six flags in Taobao's order.
var Flags = []Flag{FlagGrey, FlagRed, FlagYellow, FlagGreen, FlagBlue, FlagPurple}

var flagNames = [...]string{"grey", "red", "yellow", "green", "blue", "purple"}

// Valid reports whether f is one of the six flags.
func (f Flag) Valid() bool { return f >= FlagGrey && f <= FlagPurple }

// String is the flag's English colour name.
func (f Flag) String() string {
	if !f.Valid() {
		return fmt.Sprintf("flag(%d)", int(f))
	}
	return flagNames[f]
}

// OrderNote is one entry in an order's note history (备注). Notes are append-only.
type OrderNote struct {
	ID      string    `json:"id"`
	OrderID string    `json:"order_id"`
	Flag    Flag      `json:"flag"`
	Text    string    `json:"text"`
	Reason  string    `json:"reason,omitempty"`
	Staff   string    `json:"staff"`
	At      time.Time `json:"at"`
	System  bool      `json:"system,omitempty"` // written by an action (address change, COD call), not typed
	Source  string    `json:"source,omitempty"` // the platform that wrote it (an imported seller memo); Staff is then empty
}

// CaseKind is the kind of an after-sales case.
type CaseKind string

// After-sales case kinds.
const (
	CaseReturn   CaseKind = "return"
	CaseExchange CaseKind = "exchange"
	CaseLost     CaseKind = "lost"
	CaseWrong    CaseKind = "wrong_item"
	CaseMissing  CaseKind = "missing_item"
	CaseQuality  CaseKind = "quality"
)

// CaseKinds lists the after-sales kinds.
var CaseKinds = []CaseKind{CaseReturn, CaseExchange, CaseLost, CaseWrong, CaseMissing, CaseQuality}

// CaseState is a state of the after-sales state machine.
type CaseState string

// After-sales states.
const (
	CaseOpen             CaseState = "open"
	CaseWaitingCustomer  CaseState = "waiting_customer"
	CaseWaitingWarehouse CaseState = "waiting_warehouse"
	CaseResolved         CaseState = "resolved"
	CaseRefunded         CaseState = "refunded"
)

// Step is one recorded move of a state machine: who moved it, when, and why.
type Step struct {
	From  string    `json:"from"`
	To    string    `json:"to"`
	Staff string    `json:"staff"`
	At    time.Time `json:"at"`
	Note  string    `json:"note,omitempty"`
}

// AfterSalesCase is a return, exchange or other problem after delivery.
type AfterSalesCase struct {
	ID         string    `json:"id"`
	OrderID    string    `json:"order_id"`
	CustomerID string    `json:"customer_id"`
	Kind       CaseKind  `json:"kind"`
	State      CaseState `json:"state"`
	Owner      string    `json:"owner"` // staff number
	Due        time.Time `json:"due"`
	Summary    string    `json:"summary"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	Steps      []Step    `json:"steps,omitempty"`
}

// ReviewState is a state of the review follow-up state machine.
type ReviewState string

// Review follow-up states.
const (
	ReviewNew               ReviewState = "new"
	ReviewContacted         ReviewState = "contacted"
	ReviewResolving         ReviewState = "resolving"
	ReviewResolved          ReviewState = "resolved"
	ReviewRevisionRequested ReviewState = "revision_requested"
	ReviewRevised           ReviewState = "revised"
	ReviewUnreachable       ReviewState = "unreachable"
	ReviewMalicious         ReviewState = "malicious"
)

// Review is a buyer's review of an order, with the shop's follow-up.
type Review struct {
	ID         string      `json:"id"`
	OrderID    string      `json:"order_id"`
	CustomerID string      `json:"customer_id"`
	Nick       string      `json:"nick"`
	ProductID  string      `json:"product_id"`
	Stars      int         `json:"stars"` // 1..5
	Text       string      `json:"text"`
	At         time.Time   `json:"at"`
	State      ReviewState `json:"state"`
	Reply      string      `json:"reply,omitempty"` // the seller's public explanation
	ReplyBy    string      `json:"reply_by,omitempty"`
	ReplyAt    time.Time   `json:"reply_at,omitzero"`
	BuyerStars int         `json:"buyer_stars,omitempty"` // the shop's review of the buyer
	BuyerText  string      `json:"buyer_text,omitempty"`
	UpdatedAt  time.Time   `json:"updated_at,omitzero"`
	Steps      []Step      `json:"steps,omitempty"`
	Contacts   int         `json:"contacts,omitempty"` // times the buyer was contacted from the review
}

// Rating classes a review as a shop does.
type Rating string

// Rating classes.
const (
	RatingGood    Rating = "good"
	RatingNeutral Rating = "neutral"
	RatingBad     Rating = "bad"
)

// Rating classes the review by its stars: 4–5 good, 3 neutral, 1–2 bad.
func (r Review) Rating() Rating { return RatingOf(r.Stars) }

// RatingOf classes a star count.
func RatingOf(stars int) Rating {
	switch {
	case stars >= 4:
		return RatingGood
	case stars == 3:
		return RatingNeutral
	}
	return RatingBad
}

// Evidence is one locked item in a review's evidence locker: a chat excerpt, order facts or a
// file. Once written it never changes; its hash is taken when it is locked.
type Evidence struct {
	ID       string    `json:"id"`
	ReviewID string    `json:"review_id"`
	Kind     string    `json:"kind"` // chat, order, file
	Title    string    `json:"title"`
	Text     string    `json:"text,omitempty"`
	FileName string    `json:"file_name,omitempty"`
	Content  []byte    `json:"content,omitempty"`
	SHA256   string    `json:"sha256"`
	LockedAt time.Time `json:"locked_at"`
	Staff    string    `json:"staff"`
}

// Sender says who wrote a chat message.
type Sender string

// Message senders.
const (
	FromCustomer Sender = "customer"
	FromStaff    Sender = "staff"
	FromAuto     Sender = "auto"   // an auto-reply sent by the server
	FromSystem   Sender = "system" // a notice such as "conversation transferred"
)

// Conversation is the chat with one customer.
type Conversation struct {
	ID           string    `json:"id"`
	CustomerID   string    `json:"customer_id"`
	Nick         string    `json:"nick"`
	LastText     string    `json:"last_text,omitempty"`
	LastAt       time.Time `json:"last_at,omitzero"`
	WaitingSince time.Time `json:"waiting_since,omitzero"` // first unanswered customer message; zero when answered
	Unread       int       `json:"unread,omitempty"`
	Assignee     string    `json:"assignee,omitempty"` // staff number
	AssignedAt   time.Time `json:"assigned_at,omitzero"`
	Closed       bool      `json:"closed,omitempty"`
	ProductID    string    `json:"product_id,omitempty"` // the product the customer is looking at
	OrderID      string    `json:"order_id,omitempty"`   // the order being discussed
	Messages     int       `json:"messages,omitempty"`
	// Channel is the id of the API channel the conversation came through ("" for the chat
	// page), ExternalID the outside system's id of the conversation and ExternalCustomer
	// that of its customer.
	Channel          string `json:"channel,omitempty"`
	ExternalID       string `json:"external_id,omitempty"`
	ExternalCustomer string `json:"external_customer,omitempty"`
}

// Waiting reports how long the customer has waited for a reply at now (0 when not waiting).
func (c Conversation) Waiting(now time.Time) time.Duration {
	if c.WaitingSince.IsZero() || c.Closed {
		return 0
	}
	if d := now.Sub(c.WaitingSince); d > 0 {
		return d
	}
	return 0
}

// Message is one chat message. Messages are append-only.
type Message struct {
	ID             string    `json:"id"`
	ConversationID string    `json:"conversation_id"`
	From           Sender    `json:"from"`
	Staff          string    `json:"staff,omitempty"` // staff number for staff messages
	Text           string    `json:"text"`
	Card           *Card     `json:"card,omitempty"`
	At             time.Time `json:"at"`
}

// Card is a product or order card sent in a chat.
type Card struct {
	Kind  string   `json:"kind"` // product or order
	ID    string   `json:"id"`
	Title string   `json:"title"`
	Lines []string `json:"lines,omitempty"`
	URL   string   `json:"url,omitempty"`
}

// QuickPhrase is a canned reply (快捷短语), shop-wide or personal.
type QuickPhrase struct {
	ID       string `json:"id"`
	Shortcut string `json:"shortcut"` // typed after "/" in the composer
	Text     string `json:"text"`
	Owner    string `json:"owner,omitempty"` // staff number for a personal phrase; empty for shop-wide
	Uses     int    `json:"uses,omitempty"`
	Order    int    `json:"order,omitempty"` // manual sort position
}

// ComplaintCategory classes a complaint.
type ComplaintCategory string

// Complaint categories.
const (
	ComplaintQuality   ComplaintCategory = "quality"
	ComplaintService   ComplaintCategory = "service"
	ComplaintOther     ComplaintCategory = "other"
	ComplaintEmergency ComplaintCategory = "emergency"
)

// ComplaintState is a state of a complaint.
type ComplaintState string

// Complaint states.
const (
	ComplaintOpen       ComplaintState = "open"
	ComplaintInProgress ComplaintState = "in_progress"
	ComplaintResolved   ComplaintState = "resolved"
	ComplaintUnresolved ComplaintState = "closed_unresolved"
)

// Complaint is a customer's complaint (投诉) and its handling.
type Complaint struct {
	ID          string            `json:"id"`
	CustomerID  string            `json:"customer_id"`
	OrderID     string            `json:"order_id,omitempty"`
	Category    ComplaintCategory `json:"category"`
	Description string            `json:"description"`
	Owner       string            `json:"owner"`
	State       ComplaintState    `json:"state"`
	Resolution  string            `json:"resolution,omitempty"`
	CreatedAt   time.Time         `json:"created_at"`
	UpdatedAt   time.Time         `json:"updated_at"`
	Steps       []Step            `json:"steps,omitempty"`
}

// Group is a set of customers: manual (members listed on the customers) or by rule.
type Group struct {
	ID    string     `json:"id"`
	Name  string     `json:"name"`
	Rule  *GroupRule `json:"rule,omitempty"` // nil for a manual group
	Owner string     `json:"owner,omitempty"`
}

// GroupRule selects customers by what they bought and who they are. Zero fields do not filter.
type GroupRule struct {
	MinSpent   Cents  `json:"min_spent,omitempty"`
	WithinDays int    `json:"within_days,omitempty"` // bought in the last N days
	MinVIP     int    `json:"min_vip,omitempty"`
	Tag        string `json:"tag,omitempty"`
}

// BusinessHours is one weekday's opening hours as minutes after midnight; Open == Close means closed.
type BusinessHours struct {
	Open  int `json:"open"`
	Close int `json:"close"`
}

// KeywordReply answers a customer message containing Keyword with Text.
type KeywordReply struct {
	Keyword string `json:"keyword"`
	Text    string `json:"text"`
}

// AutoReplies are the shop's auto-reply rules, run by the server so customers are answered when
// no desk is online. There is one such entity per shop, with ID "rules".
type AutoReplies struct {
	ID        string           `json:"id"`
	Greeting  string           `json:"greeting,omitempty"` // first-contact greeting, at most 4 lines
	OffHours  string           `json:"off_hours,omitempty"`
	Hours     [7]BusinessHours `json:"hours"`              // by time.Weekday: Sunday first
	Location  string           `json:"location,omitempty"` // IANA zone for the hours; default Asia/Shanghai
	Keywords  []KeywordReply   `json:"keywords,omitempty"`
	UpdatedBy string           `json:"updated_by,omitempty"`
	UpdatedAt time.Time        `json:"updated_at,omitzero"`
}

// AutoRepliesID is the id of the shop's single AutoReplies entity.
const AutoRepliesID = "rules"
