package model

// Option is one choice of a single-choice (□) group on the collection form:
// a stable code stored in the database and its Chinese label from the form.
type Option struct {
	Code  string `json:"code"`
	Label string `json:"label"`
}

// Enum is an ordered single-choice group.
type Enum []Option

// Valid reports whether code is one of the group's codes.
func (e Enum) Valid(code string) bool {
	for _, o := range e {
		if o.Code == code {
			return true
		}
	}
	return false
}

// Label returns the Chinese label of a code, or "" if unknown.
func (e Enum) Label(code string) string {
	for _, o := range e {
		if o.Code == code {
			return o.Label
		}
	}
	return ""
}

// Role is an account's role.
type Role string

// Roles (DESIGN.md, who uses it).
const (
	RoleWorker    Role = "worker"
	RoleCadre     Role = "cadre"
	RoleTaskforce Role = "taskforce"
	RoleOfficial  Role = "official"
	RoleEmployer  Role = "employer"
	RoleAdmin     Role = "admin"
)

// Roles lists every role with its Chinese name.
var Roles = Enum{
	{string(RoleWorker), "务工人员"},
	{string(RoleCadre), "村干部"},
	{string(RoleTaskforce), "县专班"},
	{string(RoleOfficial), "主管部门"},
	{string(RoleEmployer), "用人单位"},
	{string(RoleAdmin), "系统管理员"},
}

// BackOffice reports whether the role logs in with a password.
func (r Role) BackOffice() bool { return r != RoleWorker }

// LabourCapacities: 劳动能力 (seed 002 填表说明 1; 丧失劳动力 and 无劳动力 are not collected).
var LabourCapacities = Enum{
	{"ordinary", "普通劳动力"},
	{"skilled", "技能劳动力"},
	{"weak", "弱劳动力或半劳动力"},
}

// SkillLevels: 技能等级 (seed 002 附件1).
var SkillLevels = Enum{
	{"none", "无"},
	{"junior", "初级"},
	{"intermediate", "中级"},
	{"senior", "高级"},
	{"technician", "技师"},
	{"senior_technician", "高级技师"},
}

// Educations: 文化程度 (the form leaves it open; these are the national system's levels).
var Educations = Enum{
	{"none", "未上过学"},
	{"primary", "小学"},
	{"junior_high", "初中"},
	{"senior_high", "高中"},
	{"secondary_vocational", "中专/中职"},
	{"junior_college", "大专"},
	{"bachelor", "本科及以上"},
}

// LabourerStates: 当前状态 (seed 002 附件1).
var LabourerStates = Enum{
	{"normal", "正常"},
	{"temp_exit", "暂时退出"},
	{"perm_exit", "永久退出"},
}

// TempExitReasons: why a labourer is temporarily out (暂时退出).
var TempExitReasons = Enum{
	{"school", "上学"},
	{"military", "参军"},
	{"prison", "服刑"},
	{"temp_incapacity", "暂时丧失劳动力"},
}

// PermExitReasons: why a labourer is permanently out (永久退出).
var PermExitReasons = Enum{
	{"death", "死亡"},
	{"perm_incapacity", "永久丧失劳动力"},
}

// PopulationCategories: 人口类别.
var PopulationCategories = Enum{
	{"registered_poor", "建档立卡贫困人口"},
	{"lifted", "脱贫人口"},
	{"monitored", "防止返贫监测对象"},
}

// EmploymentForms: 就业形式 (seed 002 附件1; 自主创业 is collected but not counted as 务工, 指标解释 4).
var EmploymentForms = Enum{
	{"employed", "单位就业"},
	{"self_employed", "自主创业"},
	{"flexible", "灵活就业"},
	{"cooperative", "农业合作社等新型经营主体"},
	{"workshop", "就业帮扶车间"},
	{"base", "就业帮扶基地"},
	{"public_welfare", "公益性岗位"},
	{"other", "其他就业形式"},
}

// Industries: 所属产业行业 (seed 002 附件1).
var Industries = Enum{
	{"planting", "种植"},
	{"breeding", "养殖"},
	{"technician", "技工"},
	{"general_worker", "普工"},
	{"domestic", "家庭服务业"},
	{"construction", "建筑/装修"},
	{"sanitation", "环卫/保卫/市政维护"},
	{"administration", "行政/管理"},
	{"service", "服务员/接待员/收银/导购员"},
	{"other", "其他"},
}

// PlaceScopes: where work is relative to 户籍 (seed 001 附件), always derived from region codes.
var PlaceScopes = Enum{
	{"in_county", "县内"},
	{"in_province", "省内县外"},
	{"out_province", "省外"},
}

// ReturnReasons: 返乡回流原因 (seed 002 附件1).
var ReturnReasons = Enum{
	{"epidemic", "因疫情"},
	{"disaster", "因灾"},
	{"farming", "因农忙"},
	{"illness", "因病"},
	{"personal", "个人家庭等原因"},
}

// NoPlanReasons: 无外出意愿原因 (seed 002 附件1).
var NoPlanReasons = Enum{
	{"scale_farming", "转业规模种养"},
	{"farming", "务农"},
	{"family_care", "照顾家人"},
	{"health", "身体或精神状态不佳"},
	{"unwilling", "主观意愿不强"},
	{"other", "其他"},
}

// Sources say who wrote a fact: the worker, a cadre's form, an import or a confirmed hire.
const (
	SourceSelf   = "self"
	SourceCadre  = "cadre"
	SourceImport = "import"
	SourceHire   = "hire"
)

// Ethnicities: the 56 民族 of China, stored by name.
var Ethnicities = func() Enum {
	names := []string{"汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族",
		"满族", "侗族", "瑶族", "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族",
		"佤族", "畲族", "高山族", "拉祜族", "水族", "东乡族", "纳西族", "景颇族", "柯尔克孜族", "土族",
		"达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族", "毛南族", "仡佬族", "锡伯族", "阿昌族", "普米族",
		"塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族", "保安族", "裕固族", "京族", "塔塔尔族",
		"独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族", "基诺族"}
	e := make(Enum, len(names))
	for i, n := range names {
		e[i] = Option{n, n}
	}
	return e
}()
