package region

import (
	"strings"
	"unicode/utf8"

	"github.com/jiuyebang/jiuyebang/model"
)

// ethnicGroups are the 56 officially recognised ethnic groups (民族), without
// the trailing 族. "各" (各族, "all groups", as in 龙胜各族自治县) and "蔵" (a
// variant of 藏 that occurs in the statistical data: 祁丰蔵族乡) are added so
// that every autonomous name in the data reduces.
var ethnicGroups = []string{
	"汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜",
	"满", "侗", "瑶", "白", "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳",
	"佤", "畲", "高山", "拉祜", "水", "东乡", "纳西", "景颇", "柯尔克孜", "土",
	"达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌", "普米",
	"塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔",
	"独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺",
	"各", "蔵",
}

// stripEthnic removes a run of "<group>族" from the end of s, matching the
// longest group name first, and returns what is left and the groups in the
// order they appear. Only known groups are removed, so names that merely end
// in 族 ("四族镇") are left alone. With bare, a group of two characters or
// more is also removed without 族, as Xinjiang's names write them
// (伊犁哈萨克自治州, 察布查尔锡伯自治县).
func stripEthnic(s string, bare bool) (base string, groups []string) {
	for {
		rest, zu := strings.CutSuffix(s, "族")
		best := ""
		for _, g := range ethnicGroups {
			if len(g) > len(best) && strings.HasSuffix(rest, g) && (zu || bare && utf8.RuneCountInString(g) >= 2) {
				best = g
			}
		}
		if best == "" {
			return s, groups
		}
		s = strings.TrimSuffix(rest, best)
		groups = append([]string{best}, groups...)
	}
}

// autonomyUnits are the unit words after 自治: 自治州 → 州, 自治县 → 县, 自治旗 → 旗.
var autonomyUnits = []string{"州", "县", "旗"}

// villageSuffixes map the ways the data and the government's papers end a
// village-level name to one canonical ending: a 村民委员会 is "X村", a
// 社区居民委员会 is "X社区".
var villageSuffixes = []struct{ suffix, canon string }{
	{"社区居民委员会", "社区"},
	{"社区居委会", "社区"},
	{"社区委会", "社区"},
	{"居民委员会", "社区"},
	{"居委会", "社区"},
	{"村民委员会", "村"},
	{"村民委会", "村"},
	{"村委员会", "村"},
	{"村委会", "村"},
}

// shortName is the short form government papers use for a region, computed
// by rule from its full name:
//
//   - an autonomous prefecture, county or banner drops its ethnic groups and
//     自治: "<base><groups>自治县" → "<base>县" (积石山保安族东乡族撒拉族自治县 →
//     积石山县, 甘南藏族自治州 → 甘南州); when the name is nothing but the group
//     the group stays (东乡族自治县 → 东乡县);
//   - an ethnic township drops its groups: 七墩回族东乡族乡 → 七墩乡;
//   - a village committee becomes "X村" / "X社区";
//   - a province drops 省/市/自治区 (甘肃省 → 甘肃, 宁夏回族自治区 → 宁夏).
//
// It returns name itself when no rule applies. level 0 applies every rule
// but the province one (used for a name typed by a user, level unknown).
func shortName(name string, level int) string {
	if level == model.LevelProvince {
		return provinceShort(name)
	}
	for _, u := range autonomyUnits {
		if rest, ok := strings.CutSuffix(name, "自治"+u); ok && rest != "" {
			base, groups := stripEthnic(rest, true)
			if base == "" && len(groups) > 0 {
				base = groups[0]
			}
			return base + u
		}
	}
	for _, u := range []string{"乡", "镇"} {
		if rest, ok := strings.CutSuffix(name, "族"+u); ok {
			base, groups := stripEthnic(rest+"族", false)
			if base != "" && len(groups) > 0 {
				return base + u
			}
		}
	}
	for _, v := range villageSuffixes {
		if base, ok := strings.CutSuffix(name, v.suffix); ok && base != "" {
			if strings.HasSuffix(base, v.canon) {
				return base
			}
			return base + v.canon
		}
	}
	return name
}

func provinceShort(name string) string {
	if rest, ok := strings.CutSuffix(name, "自治区"); ok {
		// Not bare: 内蒙古 is no group. 新疆维吾尔自治区 writes its group without 族.
		base, _ := stripEthnic(rest, false)
		if base = strings.TrimSuffix(base, "维吾尔"); base != "" {
			return base
		}
		return name
	}
	for _, s := range []string{"特别行政区", "省", "市"} {
		if base, ok := strings.CutSuffix(name, s); ok && base != "" {
			return base
		}
	}
	return name
}

// storedShortName is what the short_name column holds: the short form, or ""
// when it is the full name.
func storedShortName(name string, level int) string {
	if s := shortName(name, level); s != name {
		return s
	}
	return ""
}
