package screens

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kefu/shop"
)

// reviewWork holds the open review's editors: the follow-up note, the reply with its live
// character count and templates, and the review of the buyer. They are made once and kept
// across redraws, so a reload (a change arriving from the server) never loses what is typed.
type reviewWork struct {
	r *reviewSection

	note      *deskEntry
	moveBtns  map[shop.ReviewState]*widget.Button
	orderBtn  *widget.Button
	contact   *widget.Button
	chatBtn   *widget.Button
	reply     *deskEntry
	replyLen  *widget.Label
	templates *templatePicker
	saveReply *widget.Button
	buyerStar *widget.Select
	buyerText *deskEntry
	saveBuyer *widget.Button
	replyBox  fyne.CanvasObject
}

func newReviewWork(r *reviewSection) *reviewWork {
	w := &reviewWork{r: r, moveBtns: map[shop.ReviewState]*widget.Button{}}
	w.note = newDeskEntry(r.env)
	w.note.SetPlaceHolder(lang.L("Note for the next step (what was agreed, why)"))
	for _, s := range shop.ReviewStates {
		s := s
		b := widget.NewButton(fmt.Sprintf(lang.L("Move to %s"), reviewStateName(s)), func() { w.move(s) })
		if s == shop.ReviewMalicious || s == shop.ReviewUnreachable {
			b.Importance = widget.WarningImportance
		} else {
			b.Importance = widget.HighImportance
		}
		w.moveBtns[s] = b
	}
	w.orderBtn = widget.NewButtonWithIcon(lang.L("Open the order"), theme.DocumentIcon(), func() {
		if r.open != nil && r.openOrder != nil {
			r.openOrder(r.open.OrderID)
		}
	})
	w.contact = widget.NewButtonWithIcon(lang.L("Contact the buyer"), theme.MailSendIcon(), w.contactBuyer)
	w.contact.Importance = widget.HighImportance
	w.chatBtn = widget.NewButtonWithIcon(lang.L("Open the chat"), theme.MailComposeIcon(), w.openChat)

	w.reply = newDeskMultiLineEntry(r.env)
	w.reply.Wrapping = fyne.TextWrapWord
	w.reply.SetMinRowsVisible(3)
	w.reply.SetPlaceHolder(lang.L("The shop's public explanation, at most 500 characters"))
	w.replyLen = widget.NewLabel("")
	w.reply.OnChanged = func(string) { w.countReply() }
	w.templates = newTemplatePicker(func() fyne.Canvas {
		if w.r.env.win == nil {
			return nil
		}
		return w.r.env.win.Canvas()
	}, func(string) { w.useTemplate() })
	w.saveReply = widget.NewButtonWithIcon(lang.L("Publish the reply"), theme.ConfirmIcon(), w.saveReplyText)
	w.saveReply.Importance = widget.HighImportance
	w.replyBox = container.NewVBox(w.reply, container.NewBorder(nil, nil, w.templates.button, container.NewHBox(w.replyLen, w.saveReply)))

	opts := make([]string, 5)
	for i := range opts {
		opts[i] = stars(5 - i)
	}
	w.buyerStar = widget.NewSelect(opts, nil)
	w.buyerStar.PlaceHolder = lang.L("Buyer's stars")
	w.buyerText = newDeskEntry(r.env)
	w.buyerText.SetPlaceHolder(lang.L("A few words about the buyer"))
	w.saveBuyer = widget.NewButton(lang.L("Rate the buyer"), w.rateBuyer)
	w.countReply()
	return w
}

// reset empties the editors when another review opens and offers that rating's templates.
func (w *reviewWork) reset(rv shop.Review) {
	w.note.SetText("")
	w.reply.SetText("")
	w.buyerText.SetText("")
	w.buyerStar.ClearSelected()
	if rv.BuyerStars > 0 {
		w.buyerStar.SetSelectedIndex(5 - rv.BuyerStars)
		w.buyerText.SetText(rv.BuyerText)
	}
	w.templates.Options = replyTemplates(rv.Rating())
	w.templates.ClearSelected()
	w.countReply()
}

// jumps are the buttons to the buyer's chat (contacting, or just reading it when the buyer has
// one) and the order.
func (w *reviewWork) jumps(hasChat bool) fyne.CanvasObject {
	row := container.NewHBox(w.contact)
	if hasChat {
		row.Add(w.chatBtn)
	}
	row.Add(w.orderBtn)
	return row
}

// openChat opens the buyer's newest conversation without logging a contact.
func (w *reviewWork) openChat() {
	rv := w.r.open
	if rv == nil || w.r.openChat == nil {
		return
	}
	customer := rv.CustomerID
	background(w.r.env, func(ctx context.Context) ([]shop.Conversation, error) { return w.r.data.ConversationsOf(ctx, customer) },
		func(convs []shop.Conversation, err error) {
			if err == nil && len(convs) > 0 {
				w.r.openChat(convs[0].ID, "")
			}
		})
}

// moves are the buttons for the states the review may move to, with the note entry.
func (w *reviewWork) moves(rv shop.Review) []fyne.CanvasObject {
	next := shop.ReviewNext(rv.State)
	if len(next) == 0 {
		return []fyne.CanvasObject{newCaption(lang.L("The follow-up is finished"))}
	}
	btns := container.NewHBox()
	for _, s := range next {
		btns.Add(w.moveBtns[s])
	}
	return []fyne.CanvasObject{w.note, container.NewHScroll(btns)}
}

// move asks to move the open review to state to, from the state it shows.
func (w *reviewWork) move(to shop.ReviewState) {
	rv := w.r.open
	if rv == nil {
		return
	}
	m := shop.Move{From: string(rv.State), To: string(to), Note: strings.TrimSpace(w.note.Text)}
	w.r.env.applyOn(shop.TypeReview, shop.KindReviewMove, rv.ID, m, func(err error) {
		if err == nil {
			w.note.SetText("")
			focusSearch(w.r.env, w.r.search) // the next review
		}
		w.r.load(false)
	})
}

// contactDraft is the apology and solution phrase the chat composer is prefilled with.
func contactDraft(rv shop.Review) string {
	text := lang.L("Hello {nick}, we saw your review of order {order} and are very sorry. We can exchange the item or refund you: which would you prefer?")
	if rv.Rating() == shop.RatingGood {
		text = lang.L("Hello {nick}, thank you for your review of order {order}! Is there anything else we can do for you?")
	}
	return shop.Fill(text, map[string]string{"nick": rv.Nick, "order": rv.OrderID})
}

// contactBuyer logs a contact on the review, opening the buyer's newest conversation or
// starting one, and jumps to the chat with the apology phrase in the composer.
func (w *reviewWork) contactBuyer() {
	rv := w.r.open
	if rv == nil {
		return
	}
	customer := rv.CustomerID
	background(w.r.env, func(ctx context.Context) ([]shop.Conversation, error) { return w.r.data.ConversationsOf(ctx, customer) },
		func(convs []shop.Conversation, err error) {
			convID := shop.NewID()
			if err == nil && len(convs) > 0 {
				convID = convs[0].ID
			}
			w.logContact(*rv, convID)
		})
}

// logContact logs a contact with the review's buyer in conversation convID and opens it.
func (w *reviewWork) logContact(review shop.Review, convID string) {
	rv := &review
	draft := contactDraft(*rv)
	w.r.env.applyOn(shop.TypeReview, shop.KindReviewContact, rv.ID, shop.ReviewContactData{ConversationID: convID}, func(err error) {
		if err != nil {
			return
		}
		w.r.load(false)
		if w.r.openChat != nil {
			w.r.openChat(convID, draft)
		}
	})
}

// countReply shows the reply's length against the limit, in red when over.
func (w *reviewWork) countReply() {
	n := utf8.RuneCountInString(w.reply.Text)
	imp := widget.LowImportance
	if n > shop.MaxReplyRunes {
		imp = widget.DangerImportance
	}
	setLabel(w.replyLen, fmt.Sprintf("%d/%d", n, shop.MaxReplyRunes), imp)
	if n == 0 || n > shop.MaxReplyRunes {
		w.saveReply.Disable()
	} else {
		w.saveReply.Enable()
	}
}

func (w *reviewWork) useTemplate() {
	if w.templates.Selected == "" {
		return
	}
	w.reply.SetText(w.templates.Selected)
	w.countReply()
}

func (w *reviewWork) replyEditor() fyne.CanvasObject { return w.replyBox }

func (w *reviewWork) saveReplyText() {
	rv := w.r.open
	text := strings.TrimSpace(w.reply.Text)
	if rv == nil || text == "" {
		return
	}
	w.r.env.applyOn(shop.TypeReview, shop.KindReviewReply, rv.ID, shop.ReviewReplyData{Text: text}, func(err error) {
		if err != nil {
			return
		}
		w.reply.SetText("")
		w.templates.ClearSelected()
		if len(shop.ReviewNext(rv.State)) > 0 {
			w.r.env.focus(w.note) // the reply is out: move the review on
		} else {
			focusSearch(w.r.env, w.r.search)
		}
		w.r.load(false)
	})
}

// buyerEditor rates the buyer, which the platform allows once the order is completed.
// o is the review's order, err why it could not be read.
func (w *reviewWork) buyerEditor(o shop.Order, err error) fyne.CanvasObject {
	if err != nil || o.Status != shop.StatusCompleted {
		return newCaption(lang.L("The buyer can be reviewed once the order is completed"))
	}
	return container.NewBorder(nil, nil, w.buyerStar, w.saveBuyer, w.buyerText)
}

func (w *reviewWork) rateBuyer() {
	rv := w.r.open
	i := w.buyerStar.SelectedIndex()
	if rv == nil || i < 0 {
		return
	}
	d := shop.ReviewBuyerData{Stars: 5 - i, Text: strings.TrimSpace(w.buyerText.Text)}
	w.r.env.applyOn(shop.TypeReview, shop.KindReviewBuyer, rv.ID, d, func(err error) {
		if err == nil {
			focusSearch(w.r.env, w.r.search)
			w.r.load(false)
		}
	})
}

// replyTemplates are the built-in reply templates for a rating, translated.
func replyTemplates(r shop.Rating) []string {
	switch r {
	case shop.RatingGood:
		return []string{
			lang.L("Thank you for your support! We are glad you like it and look forward to your next visit."),
			lang.L("Thank you for the kind review! If anything comes up, our customer service is always here for you."),
		}
	case shop.RatingNeutral:
		return []string{
			lang.L("Thank you for the honest feedback. We have noted it and will keep improving."),
			lang.L("Sorry the item did not fully meet your expectations. Please contact our customer service and we will make it right."),
		}
	}
	return []string{
		lang.L("We are very sorry for the trouble. Our customer service has contacted you to solve it; please check your messages."),
		lang.L("Every item is checked before it ships. We are sorry for the trouble and have arranged an exchange or refund for you."),
	}
}
