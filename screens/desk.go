package screens

import (
	"context"
	"strconv"
	gosync "sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"

	"kefu/desk"
	"kefu/shop"
)

// The desk's sections, in rail order; Desk.Show takes these numbers and Ctrl+1…Ctrl+5 pick them.
const (
	SectionChat = iota
	SectionOrders
	SectionStock
	SectionReviews
	SectionCustomers
	sectionCount
)

// refreshEvery is the least time between two data-driven reloads of the shown section; changes
// arriving faster are gathered and drawn by the next tick.
const refreshEvery = 300 * time.Millisecond

// Params is what the desk needs.
type Params struct {
	Data   Data             // the running desk (*desk.Desk)
	Staff  shop.Staff       // who is signed in
	Window fyne.Window      // the window the desk fills: its shortcuts and dialogs
	App    fyne.App         // notifications and preferences
	Now    func() time.Time // the clock; time.Now when nil (tests fix it)
	// Threads leaves and re-enters Fyne's goroutine; zero: goroutines and fyne.Do.
	Threads Threads
	// ManualTick turns the one-second ticker off (waiting times, gathered redraws); the caller
	// then calls Desk.Tick itself. Tests set it so that nothing runs on another goroutine.
	ManualTick bool
	// Timed, if set, runs each of the screens' callbacks on Fyne's goroutine, by name, to
	// measure it: every result handed back by a background read or a recorded action, the job
	// progress, the ticker, Refresh, SetSync, the shortcuts, the stock search box and list.
	// The desk's busy probe sets it (nil: the callbacks run as they are, at no cost).
	Timed func(what string, callback func())
	// ServerURL is the store server's address; the chat's QR code points customers to its
	// chat page when the shop has no chat link of its own.
	ServerURL string
	// SwitchShop signs out and shows the welcome page; the window's menu offers it (after a
	// confirmation) when set.
	SwitchShop func()
	// About is what the window menu's About box tells; nil: no About box.
	About *About
}

// section is one of the desk's five workspaces.
type section interface {
	content() fyne.CanvasObject
	searchEntry() *searchEntry
	// reload re-reads what the section shows after the data changed, keeping what is open.
	reload()
	// watches reports whether changes to entities of type t can change what the section shows.
	watches(t shop.EntityType) bool
	// tick runs every second while the section is shown.
	tick()
}

// Desk is the main window's content: the navigation rail, the five sections and the status bar.
type Desk struct {
	env      *env
	data     Data
	sections [sectionCount]section
	chat     *chatSection
	orders   *orderSection
	stock    *stockSection
	reviews  *reviewSection
	custs    *customerSection
	rail     *rail
	status   *statusBar
	problems *problemsDialog
	search   *searchDialog
	imports  *importDialog   // nil for agents
	channels *channelsScreen // nil for agents
	teamWork *teamWork       // calls, handovers, concessions (team_work.go)
	team     *teamScreen     // nil when the data has no KPIs
	body     *fyne.Container
	content  fyne.CanvasObject

	current    int
	loaded     [sectionCount]bool
	dirty      [sectionCount]bool
	lastReload [sectionCount]time.Time

	stop     chan struct{}
	cancel   context.CancelFunc // ends env.ctx
	stopOnce gosync.Once
}

// NewDesk builds the desk, shows the chat section, registers the keyboard shortcuts on the
// window's canvas and (unless ManualTick) starts the one-second ticker, which stops when the
// window closes (NewDesk sets the window's OnClosed) or on Close.
func NewDesk(p Params) *Desk {
	now := p.Now
	if now == nil {
		now = time.Now
	}
	th := p.Threads
	if th.Go == nil {
		th.Go = func(f func()) { go f() }
	}
	if th.Do == nil {
		th.Do = fyne.Do
	}
	ctx, cancel := context.WithCancel(context.Background())
	d := &Desk{data: p.Data, stop: make(chan struct{}), cancel: cancel}
	d.env = &env{staff: p.Staff, win: p.Window, app: p.App, now: now, writer: p.Data, ctx: ctx, threads: th, timed: p.Timed}
	d.env.applied = func() { d.status.update() }
	d.env.keys = d.handleShortcut
	d.teamWork = newTeamWork(d.env, p.Data)
	d.env.teamWork = d.teamWork

	keys := d.handleShortcut
	d.chat = newChatSection(d.env, p.Data, keys)
	d.orders = newOrderSection(d.env, p.Data, keys)
	d.stock = newStockSection(d.env, p.Data, keys)
	d.stock.toChat, d.stock.chatLink = d.sendToChat, d.chat.chatLink
	d.reviews = newReviewSection(d.env, p.Data, keys)
	d.reviews.openOrder, d.reviews.openChat = d.showOrder, d.showChat
	d.custs = newCustomerSection(d.env, p.Data, keys, d.showOrder)
	d.sections = [sectionCount]section{d.chat, d.orders, d.stock, d.reviews, d.custs}

	d.rail = newRail(
		[]string{lang.L("Chat"), lang.L("Orders"), lang.L("Stock"), lang.L("Reviews"), lang.L("Customers")},
		[]fyne.Resource{iconChat, iconOrders, iconStock, iconReviews, iconCustomers},
		d.switchTo)
	if td, ok := p.Data.(TeamData); ok { // the Team screen (team.go), under the sections
		d.team = newTeamScreen(d.env, td)
		d.rail.list.Add(newRailItem(lang.L("Team"), iconTeam, d.team.show))
	}
	if desk.CanManageChannels(p.Staff) {
		d.channels = newChannelsScreen(d.env, p.Data)
		d.rail.addTool(lang.L("Channels"), iconChannels, d.channels.show)
		d.rail.list.Add(newRailItem(lang.L("Hand over"), theme.MailForwardIcon(), d.teamWork.writeHandover))
	} else {
		d.rail.addTool(lang.L("Hand over"), theme.MailForwardIcon(), d.teamWork.writeHandover)
	}
	d.search = newSearchDialog(d.env, p.Data, d.openSearchHit)
	d.rail.addTool(lang.X("search.button", "Search"), theme.SearchIcon(), d.search.show)
	d.problems = newProblemsDialog(d.env, p.Data, func() { d.status.update() })
	d.problems.open = d.problemStep
	d.status = newStatusBar(d.env, p.Data, d.problems.show)
	d.status.server = p.ServerURL
	d.status.onCases = func() { d.Show(SectionOrders); d.orders.showCases() }
	d.status.onReviews = func() { d.Show(SectionReviews); d.reviews.showReminders() }
	d.reviews.reminders = d.status.reminders
	d.status.right.Objects = append(d.teamWork.statusObjects(), d.status.right.Objects...)
	d.teamWork.panel = d.chat.panel
	d.linkChat(p)
	// The desk's jobs run by themselves; the screens give them their settings and show how
	// the bulk sends go.
	p.Data.SetJobProgress(func(jp desk.JobProgress) { d.env.handBack(d.custs.showProgress, func() { d.custs.showProgress(jp) }) })
	p.Data.SetBirthdays(d.custs.deskRule(d.custs.birthdayRule()))
	p.Data.SetShipNotices(d.orders.shipNotices())

	objs := make([]fyne.CanvasObject, sectionCount)
	for i, s := range d.sections {
		objs[i] = s.content()
		objs[i].Hide()
	}
	d.body = container.NewStack(objs...)
	left := d.rail.box
	if desk.CanImport(p.Staff) {
		d.imports = newImportDialog(d.env, p.Data)
		left = d.imports.withRail(left)
	}
	d.content = container.NewBorder(d.teamWork.bannerBox, d.status.box, left, nil, d.body)
	d.current = -1
	d.Show(SectionChat)
	d.teamWork.start()

	if p.Window != nil {
		d.addShortcuts(p.Window.Canvas())
		p.Window.SetOnClosed(d.Close)
		p.Window.SetMainMenu(d.mainMenu(p))
	}
	if !p.ManualTick {
		go d.run()
	}
	return d
}

// Content is what to put in the window.
func (d *Desk) Content() fyne.CanvasObject { return d.content }

// Current is the section shown.
func (d *Desk) Current() int { return d.current }

// Show switches to a section (SectionChat … SectionCustomers); other numbers are ignored.
func (d *Desk) Show(i int) {
	if i < 0 || i >= sectionCount {
		return
	}
	if i != d.current {
		if d.current >= 0 {
			d.sections[d.current].content().Hide()
		}
		d.current = i
		d.sections[i].content().Show()
		d.rail.setCurrent(i)
	}
	if !d.loaded[i] || d.dirty[i] {
		d.reloadSection(i)
	}
}

func (d *Desk) reloadSection(i int) {
	d.loaded[i], d.dirty[i], d.lastReload[i] = true, false, time.Now()
	d.sections[i].reload()
}

// FocusSearch puts the cursor in the shown section's search box, its text selected so that
// what is typed next replaces it.
func (d *Desk) FocusSearch() {
	focusSearch(d.env, d.sections[d.current].searchEntry())
}

// SetSync shows the sync engine's state in the status bar and the stock section (how fresh
// the stock figures are). Call it on Fyne's goroutine.
func (d *Desk) SetSync(v SyncView) {
	d.env.timeAs("Desk.SetSync", func() {
		d.status.setSync(v)
		d.stock.setSync(v)
	})
}

// Refresh tells the desk that entities of these types changed. Sections showing them reload:
// the shown one at once (at most every refreshEvery; faster changes are drawn by the next
// tick), hidden ones when they are shown next. Call it on Fyne's goroutine.
func (d *Desk) Refresh(types []shop.EntityType) {
	d.env.timeAs("Desk.Refresh", func() { d.refresh(types) })
}

func (d *Desk) refresh(types []shop.EntityType) {
	for i, s := range d.sections {
		for _, t := range types {
			if s.watches(t) {
				d.dirty[i] = true
				break
			}
		}
	}
	d.status.reminders.changed(types)
	d.teamWork.changed(types)
	d.status.update()
	if d.dirty[d.current] && time.Since(d.lastReload[d.current]) >= refreshEvery {
		d.reloadSection(d.current)
	}
}

// Tick does the desk's once-a-second work: waiting times count up and change colour, and
// changes gathered by Refresh are drawn. The desk's own ticker calls it unless ManualTick.
func (d *Desk) Tick() {
	d.chatTick()
	d.status.tick()
	if d.dirty[d.current] {
		d.reloadSection(d.current)
	}
	d.sections[d.current].tick()
}

// Close stops the desk's ticker and drops the results of reads still under way; the desk's
// jobs go on. It is safe to call more than once.
func (d *Desk) Close() {
	d.stopOnce.Do(func() {
		close(d.stop)
		d.cancel()
		d.data.SetJobProgress(nil)
	})
}

func (d *Desk) run() {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-d.stop:
			return
		case <-t.C:
			fyne.Do(func() { d.env.timeAs("Desk.Tick", d.Tick) })
		}
	}
}

// mainMenu is the window's menu: 客服台 (Kefu Desk) with the desk-wide commands (switching shop,
// re-downloading the shop data) — a section's
// dialogs add their entry there — and 帮助 (Help) with the About box.
func (d *Desk) mainMenu(p Params) *fyne.MainMenu {
	deskMenu := fyne.NewMenu(lang.L("Kefu Desk"))
	if p.SwitchShop != nil {
		deskMenu.Items = append(deskMenu.Items, fyne.NewMenuItem(lang.L("Switch shop or server…"), func() {
			confirmSwitch(d.env.win, d.data.OutboxLen(), p.SwitchShop)
		}))
	}
	deskMenu.Items = append(deskMenu.Items, d.teamWork.menuItems()...)
	if d.status.canReset() {
		deskMenu.Items = append(deskMenu.Items, fyne.NewMenuItem(lang.L("Re-download shop data…"), d.status.confirmReset))
	}
	help := fyne.NewMenu(lang.L("Help"))
	if p.About != nil {
		help.Items = append(help.Items, fyne.NewMenuItem(lang.L("About Kefu Desk"), func() { showAbout(d.env, *p.About) }))
	}
	return fyne.NewMainMenu(deskMenu, help)
}

// showOrder opens an order in the orders section.
func (d *Desk) showOrder(id string) {
	d.Show(SectionOrders)
	d.orders.status.SetSelectedIndex(0)
	d.orders.flag.SetSelectedIndex(0)
	d.orders.search.SetText(id)
}

// deskKeys are the desk's shortcuts: Ctrl+1…Ctrl+5 (Cmd on macOS) pick a section, Ctrl+F
// focuses the search.
func deskKeys() []*desktop.CustomShortcut {
	keys := make([]*desktop.CustomShortcut, 0, sectionCount+1)
	for i := range sectionCount {
		keys = append(keys, &desktop.CustomShortcut{KeyName: fyne.KeyName(strconv.Itoa(i + 1)), Modifier: fyne.KeyModifierShortcutDefault})
	}
	return append(keys, &desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault}, searchKey)
}

func (d *Desk) addShortcuts(c fyne.Canvas) {
	for _, k := range deskKeys() {
		c.AddShortcut(k, func(s fyne.Shortcut) { d.handleShortcut(s) })
	}
	c.AddShortcut(jumpKey, func(fyne.Shortcut) { d.jumpToWaiting() })
	c.AddShortcut(teamKey, func(s fyne.Shortcut) { d.handleShortcut(s) })
}

// handleShortcut runs a desk shortcut and reports whether s was one. The canvas calls it, and
// so do the desk's text fields (deskEntry, the searches, the composers), which Fyne gives
// shortcuts to first while they have the focus. While a dialog is open it runs none: the
// section behind a modal dialog does not change, and the dialog's fields keep their keys.
func (d *Desk) handleShortcut(s fyne.Shortcut) (ok bool) {
	d.env.timeAs("Desk.handleShortcut", func() { ok = d.shortcut(s) })
	return ok
}

// dialogOpen reports whether a dialog (or a pop-up menu) is over the desk.
func (d *Desk) dialogOpen() bool {
	return d.env.win != nil && d.env.win.Canvas().Overlays().Top() != nil
}

func (d *Desk) shortcut(s fyne.Shortcut) bool {
	if d.team != nil && isTeamKey(s) { // the Team screen's key works over it too (team.go)
		d.team.key()
		return true
	}
	if d.dialogOpen() {
		return false
	}
	if isJumpKey(s) {
		d.jumpToWaiting()
		return true
	}
	if isSearchKey(s) {
		d.search.show()
		return true
	}
	cs, ok := s.(*desktop.CustomShortcut)
	if !ok || cs.Modifier != fyne.KeyModifierShortcutDefault {
		return false
	}
	if cs.KeyName == fyne.KeyF {
		d.FocusSearch()
		return true
	}
	if n, err := strconv.Atoi(string(cs.KeyName)); err == nil && n >= 1 && n <= sectionCount {
		d.switchTo(n - 1)
		return true
	}
	return false
}
