package demoshop

// The words the demo shop is made of: a children's-clothing shop on Taobao.

const (
	shopName  = "小熊童装旗舰店"
	platform  = "taobao"
	courier   = "中通"
	promotion = "满199减30"
)

// Staff numbers of the demo shop.
const (
	// OwnerStaff is the staff number of the demo shop's owner, 王晓.
	OwnerStaff = "1001"
	agentLi    = "1002"
	agentZhang = "1003"
)

var staffNames = map[string]string{OwnerStaff: "王晓", agentLi: "李娜", agentZhang: "张伟"}

// sizes are the clothing sizes (height in cm), smallest first.
var sizes = []string{"73", "80", "90", "100", "110", "120", "130", "140", "150", "160"}

// shoeSizes are children's shoe sizes.
var shoeSizes = []string{"23", "24", "25", "26", "27", "28", "29", "30", "31", "32", "33", "34", "35", "36"}

type colour struct{ name, code string }

var colours = []colour{
	{"红色", "RED"}, {"粉色", "PNK"}, {"藏青", "NVY"}, {"米白", "IVR"},
	{"卡其", "KHK"}, {"黑色", "BLK"}, {"浅蓝", "LBL"}, {"灰色", "GRY"},
}

// base is a kind of product: its name, category, price range in yuan and the sizes it comes in.
type base struct {
	name     string
	category string
	lo, hi   int  // price range in yuan
	from, to int  // index range into sizes (or shoeSizes)
	shoes    bool // sized in shoe sizes
	season   int  // allYear, winter or summer
}

// bases are the kinds of product. The first must be 儿童外套: every demo shop has one.
var bases = []base{
	{name: "儿童外套", category: "外套", lo: 129, hi: 259, from: 3, to: 9},
	{name: "女童连衣裙", category: "连衣裙", lo: 89, hi: 199, from: 3, to: 9},
	{name: "男童卫衣", category: "卫衣", lo: 69, hi: 139, from: 3, to: 9},
	{name: "儿童羽绒服", category: "羽绒服", lo: 199, hi: 459, from: 2, to: 9, season: winter},
	{name: "宝宝连体衣", category: "连体衣", lo: 49, hi: 119, from: 0, to: 4},
	{name: "儿童运动鞋", category: "童鞋", lo: 99, hi: 219, from: 2, to: 13, shoes: true},
	{name: "儿童牛仔裤", category: "裤装", lo: 79, hi: 149, from: 3, to: 9},
	{name: "女童公主裙", category: "连衣裙", lo: 99, hi: 229, from: 2, to: 8},
	{name: "儿童毛衣", category: "毛衣", lo: 89, hi: 169, from: 2, to: 9, season: winter},
	{name: "男童T恤", category: "T恤", lo: 39, hi: 89, from: 3, to: 9, season: summer},
	{name: "女童打底裤", category: "裤装", lo: 29, hi: 69, from: 2, to: 9},
	{name: "儿童睡衣套装", category: "家居服", lo: 59, hi: 129, from: 2, to: 9},
	{name: "儿童冲锋衣", category: "外套", lo: 159, hi: 299, from: 4, to: 9},
	{name: "宝宝哈衣", category: "连体衣", lo: 39, hi: 89, from: 0, to: 4},
	{name: "儿童棉服", category: "外套", lo: 159, hi: 299, from: 3, to: 9, season: winter},
	{name: "男童运动套装", category: "套装", lo: 99, hi: 199, from: 3, to: 9},
	{name: "女童半身裙", category: "半身裙", lo: 49, hi: 109, from: 3, to: 9, season: summer},
	{name: "儿童防晒衣", category: "外套", lo: 59, hi: 129, from: 3, to: 9, season: summer},
	{name: "儿童马甲", category: "外套", lo: 69, hi: 139, from: 2, to: 9},
	{name: "儿童帆布鞋", category: "童鞋", lo: 59, hi: 129, from: 3, to: 13, shoes: true},
	{name: "女童汉服", category: "连衣裙", lo: 129, hi: 259, from: 3, to: 9},
	{name: "男童衬衫", category: "衬衫", lo: 59, hi: 119, from: 3, to: 9},
	{name: "儿童背带裤", category: "裤装", lo: 79, hi: 159, from: 1, to: 8},
	{name: "儿童泳衣", category: "泳衣", lo: 59, hi: 129, from: 3, to: 9, season: summer},
	{name: "宝宝爬服", category: "连体衣", lo: 49, hi: 99, from: 0, to: 4},
	{name: "儿童雪地靴", category: "童鞋", lo: 99, hi: 199, from: 1, to: 12, shoes: true, season: winter},
}

// Words that make product names: season, material (or, for shoes, make) and style. Winter
// clothes and summer clothes have their own seasons and materials.
var (
	seasonsAll    = []string{"秋冬新款", "春秋款", "四季款", "早春新款", "秋季新款", "春款", "新款", "网红款", "基础款", "百搭款"}
	seasonsWinter = []string{"秋冬新款", "冬季加厚", "冬款", "年货款", "加厚保暖款", "冬季新款"}
	seasonsSummer = []string{"夏季薄款", "夏款", "夏季新款", "清凉款", "初夏新款", "度假风"}
	matsAll       = []string{"纯棉", "针织", "华夫格", "棉麻", "精梳棉", "亲肤", "灯芯绒", "莫代尔"}
	matsWinter    = []string{"加绒", "羊羔绒", "摇粒绒", "珊瑚绒", "加厚", "灯芯绒", "纯棉", "双面绒"}
	matsSummer    = []string{"纯棉", "天丝", "莫代尔", "冰丝", "棉麻", "网眼", "速干", "透气"}
	shoeMaterials = []string{"透气网面", "软底", "防滑", "魔术贴", "轻便", "超纤皮面", "飞织", "减震", "耐磨", "防水"}
	styles        = []string{"韩版", "洋气", "卡通", "休闲", "时尚", "百搭", "简约", "宽松", "复古", "学院风", "运动风", "甜美", "小清新", "国潮", "英伦风", "森系", "法式", "撞色", "印花", "刺绣"}
)

// Seasons of a kind of product.
const (
	allYear = iota
	winter
	summer
)

// nameWords are the seasons and materials names of products of kind b are made of.
func (b base) nameWords() (seasons, mats []string) {
	switch b.season {
	case winter:
		seasons, mats = seasonsWinter, matsWinter
	case summer:
		seasons, mats = seasonsSummer, matsSummer
	default:
		seasons, mats = seasonsAll, matsAll
	}
	if b.shoes {
		mats = shoeMaterials
	}
	return seasons, mats
}

// nameCombos is how many distinct names products of kind b can take.
func (b base) nameCombos() int {
	s, m := b.nameWords()
	return len(s) * len(m) * len(styles)
}

// maxProducts is the most products with distinct names: every kind takes its turn.
func maxProducts() int {
	least := bases[0].nameCombos()
	for _, b := range bases {
		least = min(least, b.nameCombos())
	}
	return len(bases) * least
}

var surnames = []string{"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "高", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "田", "董", "潘", "袁", "蔡", "蒋", "余", "于", "杜", "叶", "程", "魏", "苏", "吕", "丁", "任", "沈"}

// surnameWeights makes the common surnames common.
var surnameWeights = []int{72, 70, 68, 55, 50, 31, 24, 21, 20, 19, 18, 17, 12, 12, 12, 11, 10, 10, 10, 9, 9, 8, 8, 8, 7, 7, 7, 7, 6, 6, 6, 6, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 4, 4, 4, 4, 4, 4}

var givenNames = []string{"芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "霞", "平", "刚", "丹", "萍", "鑫", "婷", "雪", "琳", "晨", "颖", "倩", "佳", "欣", "悦", "宇", "浩", "凯", "鹏", "辉", "玲", "燕", "慧", "晶", "莉",
	"晓燕", "丽娟", "海燕", "婷婷", "静怡", "文静", "雅琪", "嘉怡", "晓丽", "春梅", "玉兰", "秀英", "建华", "志强", "海涛", "丽华", "小红", "晓东", "俊杰", "梦瑶", "思琪", "佳琪", "欣然", "晓雯", "红梅", "美玲", "雪梅", "建军", "国栋", "冬梅"}

// Parts of platform nicknames.
var (
	nickWords  = []string{"小鱼儿", "甜甜圈", "棉花糖", "小太阳", "向日葵", "小橘子", "奶茶", "柠檬", "草莓", "小熊", "兔兔", "布丁", "小星星", "蜗牛", "麦兜", "可乐", "芒果", "椰子", "糖果", "蓝莓", "团子", "汤圆", "饺子", "西瓜"}
	kidNames   = []string{"果果", "豆豆", "乐乐", "糖糖", "朵朵", "多多", "皮皮", "悠悠", "童童", "贝贝", "宝宝", "安安", "可可", "妞妞", "壮壮", "航航", "轩轩", "萌萌", "甜甜", "笑笑", "天天", "点点", "小米", "米粒"}
	momWords   = []string{"妈", "妈妈", "妈咪", "麻麻", "爸", "爸爸", "的妈", "家"}
	moodWords  = []string{"快乐", "幸福", "开心", "阳光", "温柔", "努力", "安静", "可爱", "勇敢", "自由"}
	roleWords  = []string{"妈咪", "宝妈", "奶爸", "小仙女", "大王", "girl", "mm", "小主", "酱", "宝贝"}
	latinNames = []string{"lily", "jessie", "amy", "cindy", "vivian", "kiki", "coco", "momo", "sunny", "grace", "tina", "lucy", "emma", "judy", "nancy", "apple"}
)

// place is a province, a city in it and some of its districts.
type place struct {
	province, city, short string
	districts             []string
	remote                bool // shipping costs extra
}

var places = []place{
	{"上海", "上海市", "上海", []string{"浦东新区", "闵行区", "徐汇区", "宝山区", "松江区", "静安区"}, false},
	{"北京", "北京市", "北京", []string{"朝阳区", "海淀区", "丰台区", "通州区", "昌平区"}, false},
	{"浙江省", "杭州市", "杭州", []string{"西湖区", "余杭区", "滨江区", "萧山区", "拱墅区"}, false},
	{"广东省", "广州市", "广州", []string{"天河区", "白云区", "番禺区", "海珠区"}, false},
	{"广东省", "深圳市", "深圳", []string{"南山区", "宝安区", "龙岗区", "福田区"}, false},
	{"四川省", "成都市", "成都", []string{"武侯区", "高新区", "锦江区", "双流区"}, false},
	{"江苏省", "南京市", "南京", []string{"江宁区", "鼓楼区", "建邺区"}, false},
	{"江苏省", "苏州市", "苏州", []string{"工业园区", "吴中区", "姑苏区"}, false},
	{"湖北省", "武汉市", "武汉", []string{"洪山区", "江汉区", "武昌区"}, false},
	{"重庆", "重庆市", "重庆", []string{"渝北区", "江北区", "九龙坡区"}, false},
	{"陕西省", "西安市", "西安", []string{"雁塔区", "未央区", "长安区"}, false},
	{"湖南省", "长沙市", "长沙", []string{"岳麓区", "雨花区", "开福区"}, false},
	{"山东省", "青岛市", "青岛", []string{"黄岛区", "市南区", "崂山区"}, false},
	{"天津", "天津市", "天津", []string{"南开区", "河西区", "滨海新区"}, false},
	{"福建省", "厦门市", "厦门", []string{"思明区", "湖里区", "集美区"}, false},
	{"河南省", "郑州市", "郑州", []string{"金水区", "二七区", "中原区"}, false},
	{"辽宁省", "沈阳市", "沈阳", []string{"和平区", "浑南区", "铁西区"}, false},
	{"云南省", "昆明市", "昆明", []string{"五华区", "官渡区", "盘龙区"}, false},
	{"安徽省", "合肥市", "合肥", []string{"蜀山区", "包河区", "政务区"}, false},
	{"新疆维吾尔自治区", "乌鲁木齐市", "乌鲁木齐", []string{"天山区", "沙依巴克区"}, true},
}

// placeWeights makes the big cities common.
var placeWeights = []int{14, 11, 12, 9, 9, 8, 6, 6, 5, 5, 4, 4, 3, 3, 3, 3, 2, 2, 3, 1}

var (
	roads       = []string{"人民路", "建设路", "中山路", "解放路", "长江路", "文一西路", "科技园路", "世纪大道", "和平街", "新华路", "学府路", "东风路", "迎宾大道", "滨江路", "幸福路"}
	communities = []string{"阳光花园", "金色家园", "翠苑小区", "锦绣华庭", "幸福里", "万科城", "碧桂园", "绿地世纪城", "保利香槟国际", "华润二十四城", "恒大名都", "龙湖春江郦城"}
	towers      = []string{"国际大厦", "金融中心", "科技大厦", "创业园", "环球中心"}
)

var phonePrefixes = []string{"133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "157", "158", "159", "166", "173", "176", "177", "180", "181", "182", "185", "186", "187", "188", "189", "191", "198", "199"}

// Customer tags, memos and styles.
var (
	tags      = []string{"大码", "敏感肌", "爱砍价", "宝妈群", "双胞胎", "送礼", "已加微信", "差评风险", "只收顺丰", "二胎"}
	tagWeight = []int{10, 8, 8, 10, 3, 5, 8, 3, 4, 6}
	custStyle = []string{"休闲", "韩版", "运动", "甜美", "简约", "国潮", "公主风", "学院风"}
	memos     = []string{
		"孩子对羊毛过敏，推荐纯棉款",
		"工作日白天不方便接电话，有事发消息",
		"只收顺丰，愿意补运费",
		"老客户，每季都买，发货时放张感谢卡",
		"孩子偏胖，建议大一码",
		"上次换货等太久，注意沟通",
		"喜欢粉色系，新品到了可以推荐",
		"家里双胞胎，经常一次买两件同款",
		"收货地址是单位，周末不收件",
		"爱砍价，报价按活动价",
	}
)

// Couriers the shop ships with, and how often.
var (
	couriers       = []string{"中通", "圆通", "韵达", "顺丰"}
	courierWeights = []int{50, 20, 15, 15}
)

// Reasons an order is closed; the first ones are closed by staff (with a note), the last by the platform.
var (
	staffCloseReasons = []string{"买家拍错尺码，已重新下单", "重复下单", "买家不想要了", "缺货，与买家协商关闭", "地址超出配送范围"}
	timeoutClose      = "超时未付款，系统关闭"
	refundClose       = "买家申请退款，已退款"
	codRefusedClose   = "货到付款确认电话中买家取消"
)
