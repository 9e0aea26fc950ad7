package screens

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"kefu/desk"
	"kefu/shop"
)

// errNoConversation is returned by chat actions when no conversation is open.
var errNoConversation = errors.New("screens: no conversation is open")

// Preference keys of the chat workspace.
const (
	prefWarnSeconds  = "chat.wait_warn_seconds"
	prefAlertSeconds = "chat.wait_alert_seconds"
	prefSignature    = "chat.signature." // + staff number
)

// loadWaitThresholds reads the waiting thresholds from the app's preferences (defaults 60 s
// and 180 s). A red threshold not above the yellow one is raised to it.
func loadWaitThresholds(a fyne.App) (warn, alert time.Duration) {
	warn, alert = defaultWarnAfter, defaultAlertAfter
	if a == nil {
		return warn, alert
	}
	p := a.Preferences()
	warn = time.Duration(p.IntWithFallback(prefWarnSeconds, int(defaultWarnAfter/time.Second))) * time.Second
	alert = time.Duration(p.IntWithFallback(prefAlertSeconds, int(defaultAlertAfter/time.Second))) * time.Second
	if warn <= 0 {
		warn = defaultWarnAfter
	}
	if alert < warn {
		alert = warn
	}
	return warn, alert
}

// jumpKey is Alt+Down: open the conversation that has waited longest.
var jumpKey = &desktop.CustomShortcut{KeyName: fyne.KeyDown, Modifier: fyne.KeyModifierAlt}

// isJumpKey reports whether s is Alt+Down.
func isJumpKey(s fyne.Shortcut) bool {
	cs, ok := s.(*desktop.CustomShortcut)
	return ok && cs.KeyName == jumpKey.KeyName && cs.Modifier == jumpKey.Modifier
}

// jumpToWaiting shows the chat section with the longest-waiting conversation open.
func (d *Desk) jumpToWaiting() {
	d.Show(SectionChat)
	d.chat.jumpToLongest()
}

// checkAlerts raises one desktop notification for every conversation whose wait crossed the
// red threshold; a new wait of the same conversation notifies again. It also counts those
// conversations for the status bar. The desk calls it every second, whichever section is
// shown. The waiting list comes longest wait first, so it reads only a little past the last
// conversation over the threshold.
func (c *chatSection) checkAlerts() {
	now, alert := c.env.now(), c.alert
	latestRun(&c.alertLoad, c.env, func(ctx context.Context) ([]shop.Conversation, error) {
		var over []shop.Conversation
		for limit := 50; ; limit *= 4 {
			waiting, err := c.data.Conversations(ctx, desk.FilterWaiting, "", "", limit)
			if err != nil {
				return nil, err
			}
			over = over[:0]
			for _, conv := range waiting {
				if conv.Waiting(now) <= alert {
					break
				}
				over = append(over, conv)
			}
			if len(over) < limit || limit >= 10_000 {
				return over, nil
			}
		}
	}, func(over []shop.Conversation, err error) {
		if err == nil {
			c.raiseAlerts(over, now)
		}
	})
}

// raiseAlerts notifies of the conversations over the red threshold that were not notified
// for this wait yet, and counts them all.
func (c *chatSection) raiseAlerts(over []shop.Conversation, now time.Time) {
	c.overdueN = len(over)
	for _, conv := range over {
		if c.notified[conv.ID].Equal(conv.WaitingSince) {
			continue
		}
		c.notified[conv.ID] = conv.WaitingSince
		c.alerts++
		c.notify(fyne.NewNotification(
			fmt.Sprintf(lang.L("%s has waited %s"), conv.Nick, fmtWait(conv.Waiting(now))),
			conv.LastText))
	}
}

// overdue is the number of conversations waiting past the red threshold at the last check.
func (c *chatSection) overdue() int { return c.overdueN }

// onClaim takes the open conversation; when someone claimed it first, the conflict is shown.
func (c *chatSection) onClaim() {
	if c.open == nil {
		return
	}
	c.env.applyOn(shop.TypeConversation, shop.KindChatClaim, c.open.ID, nil, c.reloaded)
}

// reloaded reads the list again after an action was recorded.
func (c *chatSection) reloaded(err error) {
	if err == nil {
		c.load(false)
	}
}

// onTransfer asks which colleague takes the open conversation.
func (c *chatSection) onTransfer() {
	if c.open == nil || c.env.win == nil {
		return
	}
	background(c.env, c.data.StaffList, c.askTransfer)
}

// askTransfer asks which of the staff just read takes the open conversation.
func (c *chatSection) askTransfer(staff []shop.Staff, err error) {
	if err != nil {
		c.env.showError(err)
		return
	}
	if c.open == nil {
		return
	}
	var names []string
	var numbers []string
	for _, s := range staff {
		if s.Number == c.open.Assignee {
			continue
		}
		names = append(names, joinNonEmpty(" ", s.Name, staffLabel(s.Number)))
		numbers = append(numbers, s.Number)
	}
	sel := widget.NewSelect(names, nil)
	if len(names) > 0 {
		sel.SetSelectedIndex(0)
	}
	conv := c.open.ID
	dialog.ShowForm(lang.L("Transfer the conversation"), lang.X("chat.transfer", "Transfer"), lang.X("chat.cancel", "Cancel"),
		[]*widget.FormItem{widget.NewFormItem(lang.X("chat.to", "To"), sel)}, func(ok bool) {
			if i := sel.SelectedIndex(); ok && i >= 0 {
				c.transferTo(conv, numbers[i])
			}
		}, c.env.win)
}

// transferTo hands the conversation to a staff member.
func (c *chatSection) transferTo(convID, number string) {
	c.env.applyOn(shop.TypeConversation, shop.KindChatTransfer, convID, shop.ChatTransfer{To: number}, c.reloaded)
}

// onClose ends the open conversation without asking anything, or reopens a closed one.
func (c *chatSection) onClose() {
	if c.open == nil {
		return
	}
	kind := shop.KindChatClose
	if c.open.Closed {
		kind = shop.KindChatReopen
	}
	c.env.applyOn(shop.TypeConversation, kind, c.open.ID, nil, c.reloaded)
}

// showMore opens the menu of the chat's other tools.
func (c *chatSection) showMore() {
	if c.env.win == nil {
		return
	}
	menu := fyne.NewMenu("",
		fyne.NewMenuItem(lang.L("QR code of the chat link"), func() { c.showQR("") }),
		fyne.NewMenuItem(lang.L("Manage quick phrases"), c.showPhraseManager),
		fyne.NewMenuItem(lang.L("Edit auto-replies"), c.showAutoReplyEditor),
		fyne.NewMenuItem(lang.X("chat.chat_settings", "Chat settings"), c.showSettings),
	)
	cv := c.env.win.Canvas()
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(c.moreBtn)
	widget.ShowPopUpMenuAtPosition(menu, cv, pos.AddXY(0, c.moreBtn.Size().Height))
}

// signature is the staff member's signature line (个性签名): what they set on this desk, else
// the one in their staff record.
func (c *chatSection) signature() string {
	if c.env.app != nil {
		if s := c.env.app.Preferences().String(prefSignature + c.env.staff.Number); s != "" {
			return s
		}
	}
	return c.env.staff.Signature
}

// showSettings edits the waiting thresholds and the staff signature line.
func (c *chatSection) showSettings() {
	if c.env.win == nil || c.env.app == nil {
		return
	}
	warn := newDeskEntry(c.env)
	warn.SetText(strconv.Itoa(int(c.warn / time.Second)))
	alert := newDeskEntry(c.env)
	alert.SetText(strconv.Itoa(int(c.alert / time.Second)))
	sig := newDeskEntry(c.env)
	sig.SetText(c.signature())
	promo := widget.NewButton(lang.L("Add the current promotion"), func() {
		background(c.env, c.data.Shop, func(s shop.Shop, err error) { // the shop's settings, read off Fyne's goroutine
			if err == nil && s.Promotion != "" && !strings.Contains(sig.Text, s.Promotion) {
				sig.SetText(joinNonEmpty("｜", strings.TrimSpace(sig.Text), s.Promotion))
			}
		})
	})
	msg := widget.NewLabel("")
	msg.Importance = widget.DangerImportance
	msg.Hide()
	items := []*widget.FormItem{
		widget.NewFormItem(lang.L("Yellow after (seconds)"), warn),
		widget.NewFormItem(lang.L("Red after (seconds)"), alert),
		widget.NewFormItem(lang.L("Signature line"), container.NewBorder(nil, nil, nil, promo, sig)),
		widget.NewFormItem("", msg),
	}
	var d *dialog.FormDialog
	d = dialog.NewForm(lang.X("chat.chat_settings", "Chat settings"), lang.X("chat.save", "Save"), lang.X("chat.cancel", "Cancel"), items, func(ok bool) {
		if !ok {
			return
		}
		if err := c.saveSettings(warn.Text, alert.Text, sig.Text); err != nil {
			msg.SetText(err.Error())
			msg.Show()
			d.Show()
		}
	}, c.env.win)
	d.Resize(fyne.NewSize(560, 300))
	d.Show()
}

// saveSettings stores the thresholds (seconds) and the signature line.
func (c *chatSection) saveSettings(warnText, alertText, signature string) error {
	warn, err1 := strconv.Atoi(strings.TrimSpace(warnText))
	alert, err2 := strconv.Atoi(strings.TrimSpace(alertText))
	if err1 != nil || err2 != nil || warn <= 0 || alert < warn {
		return errors.New(lang.L("Give whole seconds; red must not come before yellow."))
	}
	p := c.env.app.Preferences()
	p.SetInt(prefWarnSeconds, warn)
	p.SetInt(prefAlertSeconds, alert)
	p.SetString(prefSignature+c.env.staff.Number, strings.TrimSpace(signature))
	c.warn, c.alert = time.Duration(warn)*time.Second, time.Duration(alert)*time.Second
	c.notified = map[string]time.Time{}
	c.picker.list.Refresh()
	return nil
}

// linkChat connects the chat section to the rest of the desk: the server's address for the
// chat link, and the status bar's waiting thresholds and count of long waits.
func (d *Desk) linkChat(p Params) {
	d.chat.serverURL = p.ServerURL
	d.status.warn, d.status.alert = d.chat.warn, d.chat.alert
	d.status.overdue = d.chat.overdue
}

// chatTick raises the notifications of long waits, whichever section is shown, and keeps the
// status bar on the chat's thresholds.
func (d *Desk) chatTick() {
	d.status.warn, d.status.alert = d.chat.warn, d.chat.alert
	d.chat.checkAlerts()
}
