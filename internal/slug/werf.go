package slug

import (
	"strconv"
	"unicode/utf8"
)

// werfSlugify is the readable part of the docker-tag rule, as werf's
// slug.DockerTag makes it: ASCII is treated as in Slugify, and each non-ASCII
// code point is looked up in werf's own transliteration table (werfTable),
// one code point at a time; what the table lacks is dropped. werf's cleanup
// compares tags byte for byte, so this rule must not borrow gosimple/slug's
// larger transliteration, which gives other letters ("ß" is "ss" there and
// "b" in werf) and keeps scripts werf drops ("中文").
func werfSlugify(value string) string {
	var w slugWriter
	w.b.Grow(len(value))
	for _, r := range value {
		if r < utf8.RuneSelf {
			w.emit(byte(r))
			continue
		}
		w.emitString(werfTable[r])
	}
	return w.b.String()
}

// werfTable is werf's transliteration of non-ASCII code points, as werf's
// pkg/slug/map.go has it, rebuilt from the groups and alphabets below. The table's ASCII rows are the ones Slugify
// already applies.
var werfTable = buildWerfTable()

func buildWerfTable() map[rune]string {
	table := make(map[rune]string, 800)
	for _, g := range werfGroups {
		for _, r := range g.from {
			table[r] = g.to
		}
	}
	// Runs of 26 letters (parenthesized, circled, fullwidth) that werf maps
	// to a–z in order.
	for _, first := range []rune{0x249C, 0x24B6, 0x24D0, 0xFF21, 0xFF41} {
		for i := range rune(26) {
			table[first+i] = string('a' + i)
		}
	}
	// ⒑ to ⒛: the numbers 10 to 20 followed by a full stop.
	for n := 10; n <= 20; n++ {
		table[0x2491+rune(n-10)] = strconv.Itoa(n)
	}
	return table
}

// werfGroups lists the code points that share one transliteration, grouped
// by it. An empty "to" is a letter werf knows and drops on purpose.
var werfGroups = []struct{ from, to string }{
	{"²", "2"}, {"³", "3"}, {"⒐", "9"}, {"⓪", "0"}, {"\u00b5", "u"},
	{"ÀÁÂÃÄÅàáâãäåĀāĂăĄąǍǎǞǟǠǡǺǻȀȁȂȃȦȧȺɑᴀḀḁẚẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặₐ\u212b", "a"},
	{"ÆæǢǣǼǽᴁᴂ", "ae"},
	{"ÇçĆćĈĉĊċČčƇƈȻȼᴄḈḉℂ℃℄", "c"},
	{"ÈÉÊËèéêëĒēĔĕĖėĘęĚěƐǝȄȅȆȇȨȩɆɇᴇḔḕḖḗḘḙḚḛḜḝẸẹẺẻẼẽẾếỀềỂểỄễỆệₑ℮ℯ", "e"},
	{"ÌÍÎÏìíîïĨĩĪīĬĭĮįƖƗǏǐȈȉȊȋḬḭḮḯ", "i"},
	{"ÐĎďĐđƉƊɗᴅᴆḊḋḌḍḎḏḐḑḒḓ", "d"},
	{"ÑñŃńŅņŇňŉŊŋƝƞǸǹȠᴎṄṅṆṇṈṉṊṋℕ", "n"},
	{"ÒÓÔÕÖØðòóôõöøŌōŎŏŐőƟƠơǑǒǪǫǬǭǾǿȌȍȎȏȪȫȬȭȮȯȰȱɵᴏṌṍṎṏṐṑṒṓỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợₒ", "o"},
	{"×ẊẋẌẍₓ", "x"},
	{"ÙÚÛÜùúûüŨũŪūŬŭŮůŰűŲųƯưƱƲǓǔǕǖǗǘǙǚǛǜȔȕȖȗɄṲṳṴṵṶṷṸṹṺṻỤụỦủỨứỪừỬửỮữỰự", "u"},
	{"ÝýÿŶŷŸȲȳɎɏẎẏẙỲỳỴỵỶỷỸỹ", "y"},
	{"Þþ", "th"},
	{"ßƀƁƄƅɃᴃḂḃḄḅḆḇℬ", "b"},
	{"ĜĝĞğĠġĢģƓǤǥǦǧǴǵɠɡɢḠḡℊ", "g"},
	{"ĤĥĦħȞȟḢḣḤḥḦḧḨḩḪḫẖℋℌℍℎℏ", "h"},
	{"İıĹĺĻļĽľĿŀŁłȽȾᴌḶḷḸḹḺḻḼḽ", "l"},
	{"Ĳĳ", "ij"},
	{"ĴĵǰȷɈɉᴊ", "j"},
	{"ĶķĸƘƙǨǩᴋḰḱḲḳḴḵ\u212a", "k"},
	{"Œœɶ", "oe"},
	{"ŔŕŖŗŘřƦȐȑȒȓɌɍṘṙṚṛṜṝṞṟℛℜℝ℟", "r"},
	{"ŚśŜŝŞşŠšſƧƨƩȘșȿṠṡṢṣṤṥṦṧṨṩꜱ", "s"},
	{"ŢţŤťŦŧƪƫƬƭƮȚțṪṫṬṭṮṯṰṱẗ", "t"},
	{"ŴŵƜɯẀẁẂẃẄẅẆẇẈẉẘ", "w"},
	{"ŹźŻżŽžƵƶƷȤȥɀẐẑẒẓẔẕℤ", "z"},
	{"Ƌƌ", "nd"},
	{"ƑƒḞḟ℉ꜰ", "f"},
	{"ƤƥṔṕṖṗ℗ℙ", "p"},
	{"ƼƽɊɋℚ", "q"},
	{"ǄǅǆǱǲǳ", "dz"},
	{"Ǉǈǉ", "lj"},
	{"Ǌǋǌ", "nj"},
	{"ȸ", "db"}, {"ȹ", "qp"}, {"Ʌ", "v"}, {"ṼṽṾṿ", "v"},
	{"ɱᴍḾḿṀṁṂṃ", "m"},
	{"℀", "ac"}, {"℁", "as"}, {"℅", "co"}, {"℆", "cu"}, {"℞", "px"},
	{"℠", "sm"}, {"℡", "tel"}, {"™", "tm"},
	{"Ꜳꜳ", "aa"}, {"Ꜵꜵ", "ao"}, {"Ꜷꜷ", "aj"}, {"Ꜹꜹ", "av"}, {"ꜺꜻꜼꜽ", "af"},
	{"＿～", "-"},
	// Cyrillic: werf's own romanization (е is "ye", ц is "c", the hard and
	// soft signs are dropped).
	{"Аа", "a"}, {"Бб", "b"}, {"Вв", "v"}, {"Гг", "g"}, {"Дд", "d"}, {"Ее", "ye"},
	{"Ёё", "yo"}, {"Жж", "zh"}, {"Зз", "z"}, {"Ии", "i"}, {"Йй", "j"}, {"Кк", "k"},
	{"Лл", "l"}, {"Мм", "m"}, {"Нн", "n"}, {"Оо", "o"}, {"Пп", "p"}, {"Рр", "r"},
	{"Сс", "s"}, {"Тт", "t"}, {"Уу", "u"}, {"Фф", "f"}, {"Хх", "h"}, {"Цц", "c"},
	{"Чч", "ch"}, {"Шш", "sh"}, {"Щщ", "shch"}, {"ЪъЬь", ""}, {"Ыы", "y"},
	{"Ээ", "e"}, {"Юю", "yu"}, {"Яя", "ya"},
}
