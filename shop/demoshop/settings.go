package demoshop

import (
	"time"

	"kefu/shop"
)

func (g *gen) shopRecord() shop.Shop {
	return shop.Shop{ID: ShopID, Name: shopName, Platform: platform, Courier: courier, Promotion: promotion}
}

func (g *gen) staffRecords() []shop.Staff {
	return []shop.Staff{
		{Number: OwnerStaff, Name: staffNames[OwnerStaff], Role: shop.RoleOwner, Signature: "店长王晓｜全店" + promotion + "，欢迎常来～"},
		{Number: agentLi, Name: staffNames[agentLi], Role: shop.RoleAgent, Signature: "客服李娜｜有问题随时找我～"},
		{Number: agentZhang, Name: staffNames[agentZhang], Role: shop.RoleAgent, Signature: "客服张伟｜下午4点前付款当天发货"},
	}
}

// autoReplies are the shop's auto-reply rules. The generated chats apply them exactly as the
// server does (shop.AutoReplies.Replies), so the auto messages in them are the ones it would send.
func autoReplies(now time.Time) shop.AutoReplies {
	a := shop.AutoReplies{
		ID: shop.AutoRepliesID,
		Greeting: "您好，欢迎光临" + shopName + "！\n" +
			"默认" + courier + "快递，下午4点前付款当天发货。\n" +
			"现在全店" + promotion + "，VIP会员再享折扣。\n" +
			"请问宝贝身高多少？我帮您推荐尺码～",
		OffHours: "亲，现在是下班时间（客服在线 09:00–22:00），您的留言我们上班后第一时间回复～",
		Keywords: []shop.KeywordReply{
			{Keyword: "发货", Text: "亲，下午4点前付款的订单当天发出，默认" + courier + "快递，一般2–3天到～"},
			{Keyword: "尺码", Text: "亲，尺码按孩子身高选：身高加10厘米左右即可，例如身高110cm选120码～"},
			{Keyword: "退换", Text: "亲，支持7天无理由退换，吊牌完好、不影响二次销售即可，申请售后后我们尽快处理～"},
			{Keyword: "包邮", Text: "亲，全店满99元包邮（新疆、西藏除外）～"},
			{Keyword: "优惠", Text: "亲，现在全店" + promotion + "，VIP会员下单自动打折～"},
		},
		UpdatedBy: OwnerStaff,
		UpdatedAt: now.Add(-10 * 24 * time.Hour),
	}
	for d := range a.Hours {
		a.Hours[d] = shop.BusinessHours{Open: 9 * 60, Close: 22 * 60}
	}
	return a
}

// phrases are the quick phrases: shop-wide, and a couple of personal ones.
var phrases = []shop.QuickPhrase{
	{ID: "ph-hi", Shortcut: "hi", Text: "亲，您好，我是{staff}，很高兴为您服务～"},
	{ID: "ph-zx", Shortcut: "zx", Text: "亲，在的～请问有什么可以帮您？"},
	{ID: "ph-fh", Shortcut: "fh", Text: "亲，您的订单{order}已经由{courier}发出，运单号{tracking}，请注意查收哦～"},
	{ID: "ph-fhsj", Shortcut: "fhsj", Text: "亲，下午4点前付款当天发货，之后的次日发出，默认中通快递～"},
	{ID: "ph-th", Shortcut: "th", Text: "亲，本店支持7天无理由退换（吊牌完好、未洗涤），下单已赠送运费险，申请售后即可～"},
	{ID: "ph-cm", Shortcut: "cm", Text: "亲，尺码建议按孩子身高选：身高100cm选110码，以此类推；孩子偏胖建议拍大一码～"},
	{ID: "ph-cf", Shortcut: "cf", Text: "亲爱的{nick}，您拍下的订单{order}还没有付款哦，现在付款今天就能发出，全店满199减30～"},
	{ID: "ph-dz", Shortcut: "dz", Text: "亲，麻烦核对一下收货地址，确认无误回复“1”，我们尽快安排发货～"},
	{ID: "ph-yf", Shortcut: "yf", Text: "亲，全店满99元包邮（新疆、西藏除外）～"},
	{ID: "ph-mj", Shortcut: "mj", Text: "亲，现在全店满199减30，VIP会员再享专属折扣～"},
	{ID: "ph-ml", Shortcut: "ml", Text: "亲，这款面料是A类纯棉，婴幼儿可以贴身穿，请放心～"},
	{ID: "ph-xd", Shortcut: "xd", Text: "亲，建议冷水手洗或装洗衣袋机洗，深浅色分开洗哦～"},
	{ID: "ph-qh", Shortcut: "qh", Text: "亲，这个颜色尺码暂时缺货，预计7天内到货，需要帮您登记到货提醒吗？"},
	{ID: "ph-wl", Shortcut: "wl", Text: "亲，帮您查了一下，{courier}运单号{tracking}正在派送途中，请耐心等待～"},
	{ID: "ph-hp", Shortcut: "hp", Text: "亲，收到宝贝满意的话给个五星好评哦，您的鼓励是我们最大的动力～"},
	{ID: "ph-bye", Shortcut: "bye", Text: "感谢光临小熊童装，祝宝贝健康快乐，再见～"},
	{ID: "ph-li-wait", Shortcut: "dd", Text: "亲，稍等一下，我帮您问一下仓库～", Owner: agentLi},
	{ID: "ph-zhang-sorry", Shortcut: "bq", Text: "非常抱歉给您带来不便，我马上为您处理～", Owner: agentZhang},
}

// phraseText is the text of the quick phrase with the shortcut.
func phraseText(shortcut string) string {
	for _, p := range phrases {
		if p.Shortcut == shortcut {
			return p.Text
		}
	}
	panic("demoshop: no quick phrase " + shortcut)
}

func (g *gen) phraseRecords() []shop.QuickPhrase {
	r := newRNG(g.seed, streamShop, 1)
	out := make([]shop.QuickPhrase, len(phrases))
	for i, p := range phrases {
		p.Order = i + 1
		p.Uses = r.between(0, 40) * (len(phrases) - i)
		out[i] = p
	}
	return out
}

func groupRecords() []shop.Group {
	return []shop.Group{
		{ID: "g-vip", Name: "高价值客户", Rule: &shop.GroupRule{MinSpent: 100000}, Owner: OwnerStaff},
		{ID: "g-recent", Name: "近30天购买", Rule: &shop.GroupRule{WithinDays: 30}, Owner: OwnerStaff},
		{ID: "g-vip3", Name: "VIP3及以上", Rule: &shop.GroupRule{MinVIP: 3}, Owner: OwnerStaff},
		{ID: "g-big", Name: "大码宝宝", Rule: &shop.GroupRule{Tag: "大码"}, Owner: agentLi},
		{ID: groupTry, Name: "新品试穿团", Owner: OwnerStaff},
		{ID: groupWechat, Name: "微信群老客", Owner: agentZhang},
	}
}
