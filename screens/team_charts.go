package screens

import (
	"fmt"
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"kefu/shop"
)

// teamCharts is the Charts tab: the mean response time by hour of day, each staff member's
// conversations handled by day, and the complaint mix by category.
type teamCharts struct {
	hours      *barChart
	days       *barChart
	complaints *barChart
	box        fyne.CanvasObject
}

func newTeamCharts() *teamCharts {
	c := &teamCharts{
		hours:      newBarChart(lang.L("Mean response time by hour of day"), func(v float64) string { return fmtWait(time.Duration(v) * time.Second) }),
		days:       newBarChart(lang.L("Conversations handled, by day"), func(v float64) string { return fmt.Sprint(int(v)) }),
		complaints: newBarChart(lang.L("Complaints by category (opened, resolved)"), func(v float64) string { return fmt.Sprint(int(v)) }),
	}
	c.box = container.NewGridWithRows(2, c.hours, container.NewGridWithColumns(2, c.days, c.complaints))
	return c
}

func (c *teamCharts) content() fyne.CanvasObject { return c.box }

// set draws the report's charts (its buckets are days).
func (c *teamCharts) set(rep shop.KPIReport, loc *time.Location) {
	whole := rep.Total.Team
	if len(rep.Total.Staff) == 1 && whole.Responses == 0 {
		whole = rep.Total.Staff[0].Figures // an agent's own figures
	}
	var hours []string
	var means []float64
	for h := range 24 {
		hours = append(hours, fmt.Sprint(h))
		means = append(means, whole.Hours[h].Mean().Seconds())
	}
	c.hours.set(hours, []string{lang.L("Mean response")}, [][]float64{means})

	var days []string
	for _, b := range rep.Buckets {
		days = append(days, b.From.In(loc).Format("01-02"))
	}
	var names []string
	var handled [][]float64
	for _, s := range rep.Total.Staff {
		name := s.Name
		if name == "" {
			name = s.Staff
		}
		names = append(names, name)
		row := make([]float64, len(rep.Buckets))
		for i, b := range rep.Buckets {
			if f, ok := b.Of(s.Staff); ok {
				row[i] = float64(f.Handled)
			}
		}
		handled = append(handled, row)
	}
	c.days.set(days, names, handled)

	var cats []string
	opened, resolved := []float64{}, []float64{}
	var total shop.Figures
	if len(rep.Total.Staff) == 1 && rep.Total.Team.ComplaintTotals() == (shop.ComplaintFigures{}) {
		total = rep.Total.Staff[0].Figures
	} else {
		total = rep.Total.Team
	}
	for _, cat := range shop.ComplaintCategories {
		cats = append(cats, complaintCategoryName(cat))
		cf := total.Complaints[cat]
		opened = append(opened, float64(cf.Opened))
		resolved = append(resolved, float64(cf.Resolved))
	}
	c.complaints.set(cats, []string{lang.L("Opened"), lang.L("Resolved")}, [][]float64{opened, resolved})
}

// chartColors colour a chart's series, in order.
var chartColors = []color.NRGBA{
	{R: 0x1e, G: 0x88, B: 0xe5, A: 0xff}, {R: 0xfb, G: 0x8c, B: 0x00, A: 0xff}, {R: 0x43, G: 0xa0, B: 0x47, A: 0xff},
	{R: 0x8e, G: 0x24, B: 0xaa, A: 0xff}, {R: 0xe5, G: 0x39, B: 0x35, A: 0xff}, {R: 0x00, G: 0x89, B: 0x7b, A: 0xff},
}

// barChart is a bar chart drawn with Fyne's canvas: groups along the bottom, one bar per
// series in each group, a legend when there are several series, and the largest value
// written at the top of the axis.
type barChart struct {
	widget.BaseWidget
	title  string
	format func(float64) string
	groups []string
	series []string
	values [][]float64 // [series][group]
}

func newBarChart(title string, format func(float64) string) *barChart {
	c := &barChart{title: title, format: format}
	c.ExtendBaseWidget(c)
	return c
}

// set gives the chart its data and redraws it.
func (c *barChart) set(groups, series []string, values [][]float64) {
	c.groups, c.series, c.values = groups, series, values
	c.Refresh()
}

// peak is the largest value shown.
func (c *barChart) peak() float64 {
	m := 0.0
	for _, s := range c.values {
		for _, v := range s {
			m = max(m, v)
		}
	}
	return m
}

// bars counts the bars drawn (those above zero), for tests.
func (c *barChart) bars() int {
	n := 0
	for _, s := range c.values {
		for _, v := range s {
			if v > 0 {
				n++
			}
		}
	}
	return n
}

// CreateRenderer draws the chart.
func (c *barChart) CreateRenderer() fyne.WidgetRenderer { return &barRenderer{c: c} }

type barRenderer struct {
	c       *barChart
	objects []fyne.CanvasObject
	size    fyne.Size
}

func (r *barRenderer) Destroy()                     {}
func (r *barRenderer) Objects() []fyne.CanvasObject { return r.objects }
func (r *barRenderer) MinSize() fyne.Size           { return fyne.NewSize(320, 180) }
func (r *barRenderer) Refresh()                     { r.Layout(r.c.Size()) }

// Layout rebuilds the chart's shapes for size.
func (r *barRenderer) Layout(size fyne.Size) {
	r.size = size
	c := r.c
	text := theme.Color(theme.ColorNameForeground)
	faint := theme.Color(theme.ColorNameDisabled)
	small := theme.CaptionTextSize()
	var objs []fyne.CanvasObject
	label := func(s string, x, y float32, sz float32, col color.Color, bold bool) *canvas.Text {
		t := canvas.NewText(s, col)
		t.TextSize = sz
		t.TextStyle.Bold = bold
		t.Move(fyne.NewPos(x, y))
		t.Resize(t.MinSize())
		objs = append(objs, t)
		return t
	}
	pad := theme.Padding()
	title := label(c.title, pad, 0, theme.TextSize(), text, true)
	top := title.MinSize().Height + pad
	// The legend, right of the title.
	if len(c.series) > 1 {
		x := title.MinSize().Width + 4*pad
		for i, name := range c.series {
			sw := canvas.NewRectangle(chartColors[i%len(chartColors)])
			sw.Move(fyne.NewPos(x, top/2-5))
			sw.Resize(fyne.NewSize(10, 10))
			objs = append(objs, sw)
			t := label(name, x+14, top/2-canvas.NewText(name, text).MinSize().Height/2, small, text, false)
			x += 14 + t.MinSize().Width + 3*pad
		}
	}
	peak := c.peak()
	axisW := float32(40)
	if peak > 0 {
		t := canvas.NewText(c.format(peak), text)
		t.TextSize = small
		axisW = max(axisW, t.MinSize().Width+2*pad)
	}
	bottom := size.Height - canvas.NewText("0", text).MinSize().Height - pad
	plotH := bottom - top - pad
	if plotH < 10 || len(c.groups) == 0 {
		r.objects = objs
		return
	}
	axis := canvas.NewLine(faint)
	axis.Position1, axis.Position2 = fyne.NewPos(axisW, bottom), fyne.NewPos(size.Width-pad, bottom)
	objs = append(objs, axis)
	if peak > 0 {
		l := label(c.format(peak), pad, top, small, text, false)
		l.Move(fyne.NewPos(axisW-l.MinSize().Width-pad, top))
		grid := canvas.NewLine(faint)
		grid.StrokeWidth = 0.5
		grid.Position1, grid.Position2 = fyne.NewPos(axisW, top+l.MinSize().Height/2), fyne.NewPos(size.Width-pad, top+l.MinSize().Height/2)
		objs = append(objs, grid)
	} else {
		label(lang.L("No figures for this span"), axisW+pad, top+plotH/2, small, faint, false)
	}
	groupW := (size.Width - axisW - pad) / float32(len(c.groups))
	n := max(len(c.series), 1)
	barW := max((groupW-2*pad)/float32(n), 1)
	labelEvery := 1
	if w := canvas.NewText("00-00", text).MinSize().Width + pad; groupW < w {
		labelEvery = int(w/groupW) + 1
	}
	scale := float32(0)
	if peak > 0 {
		scale = (plotH - small) / float32(peak)
	}
	for g, name := range c.groups {
		x := axisW + float32(g)*groupW + pad
		for s := range c.values {
			if g >= len(c.values[s]) {
				continue
			}
			h := float32(c.values[s][g]) * scale
			if h <= 0 {
				continue
			}
			b := canvas.NewRectangle(chartColors[s%len(chartColors)])
			b.Move(fyne.NewPos(x+float32(s)*barW, bottom-h))
			b.Resize(fyne.NewSize(max(barW-1, 1), h))
			objs = append(objs, b)
		}
		if g%labelEvery == 0 {
			t := canvas.NewText(name, text)
			t.TextSize = small
			w := t.MinSize().Width
			label(name, axisW+float32(g)*groupW+(groupW-w)/2, bottom+pad/2, small, text, false)
		}
	}
	r.objects = objs
}
