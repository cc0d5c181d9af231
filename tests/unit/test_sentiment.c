/* test_sentiment.c - every scoring rule of rules/sentiment*.c, and the
 * examples of issue 6. */
#include "hark/sentiment.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

static double score(const char *text)
{
	struct hark_sentiment s;

	hark_sentiment_score(hark_sentiment_default(), text, strlen(text), false, &s);
	assert_null(s.cues);
	return s.compound;
}

/* Compound of TEXT scored for the span that covers WORD. */
static double score_for(const char *text, const char *word)
{
	struct hark_sentiment s;
	const char *at = strstr(text, word);
	size_t span[1][2];

	assert_non_null(at);
	span[0][0] = (size_t)(at - text);
	span[0][1] = span[0][0] + strlen(word);
	hark_sentiment_score_spans(hark_sentiment_default(), text, strlen(text),
				   (const size_t (*)[2])span, 1, false, &s);
	return s.compound;
}

#define assert_pos(text) assert_true_msg(score(text) > 0.05, text)
#define assert_neg(text) assert_true_msg(score(text) < -0.05, text)
#define assert_zero(text) assert_true_msg(fabs(score(text)) < 1e-9, text)

static void assert_true_msg(bool ok, const char *text)
{
	if (!ok)
		fail_msg("wrong sign (%.4f): %s", score(text), text);
}

/* Does TEXT have a cue whose token is TOKEN and whose why contains WHY? */
static bool has_cue(const char *text, const char *token, const char *why)
{
	struct hark_sentiment s;
	bool found = false;

	hark_sentiment_score(hark_sentiment_default(), text, strlen(text), true, &s);
	assert_non_null(s.cues);
	for (guint i = 0; i < s.cues->len; i++) {
		const struct hark_sentiment_cue *c =
			&g_array_index(s.cues, struct hark_sentiment_cue, i);

		if (!strcmp(c->token, token) && strstr(c->why, why))
			found = true;
	}
	hark_sentiment_clear(&s);
	return found;
}

static void test_issue_examples(void **state)
{
	(void)state;
	assert_neg("still waiting for my refund");
	assert_neg("on hold for 45 minutes");
	assert_neg("Great, another update that deletes all my settings. Thanks a lot.");
	assert_neg("sent four emails to support and got zero responses");
	assert_pos("I never had a single problem with it");
	assert_neg("love the phone, but support is useless");
	assert_true(score_for("love the phone, but support is useless", "support") < -0.05);
	assert_true(score_for("love the phone, but support is useless", "phone") > 0.05);
}

static void test_lexicon(void **state)
{
	(void)state;
	assert_pos("The food is good");
	assert_neg("The food is bad");
	assert_zero("The table is in the kitchen");
	assert_zero("");
	assert_true(score("worst") < score("bad"));
	/* the lexicon's exact valence: "good" is 1.9 -> 1.9 / sqrt(1.9^2 + 15) */
	assert_float_equal(score("good"), 1.9 / sqrt(1.9 * 1.9 + 15), 1e-4);
}

static void test_negation(void **state)
{
	(void)state;
	assert_neg("The food is not good");
	assert_neg("this isn't good");
	assert_neg("this isnt good");
	assert_neg("I don’t like it"); /* typographic apostrophe */
	assert_neg("I didn't enjoy the show at all");
	assert_true(has_cue("not good", "good", "negated"));
	/* four words back, but not across a comma */
	assert_neg("not at all a good idea");
	assert_pos("No, this is great");
	/* "least" negates, "at least" does not */
	assert_neg("the least helpful answer");
	assert_pos("at least it is good");
}

static void test_negated_negatives(void **state)
{
	(void)state;
	assert_pos("I never had a single problem with it");
	assert_pos("no complaints");
	assert_pos("Not bad at all");
	assert_pos("nothing wrong with it");
	assert_pos("never disappoints");
	assert_pos("Can't stop smiling");
	/* negation stops at "and": only the first part is negated */
	assert_pos("no problems and works great");
	/* milder than the positive word: "not amazing" is not "terrible" */
	assert_true(score("not amazing") > score("terrible"));
}

static void test_boosters_dampeners(void **state)
{
	(void)state;
	assert_true(score("very good") > score("good"));
	assert_true(score("extremely bad") < score("bad"));
	assert_true(has_cue("really good", "good", "boosted"));
	assert_true(score("slightly good") < score("good"));
	assert_true(score("slightly good") > 0);
	assert_true(has_cue("barely good", "good", "dampened"));
	/* a dual word boosts a valence word after it, else keeps its own */
	assert_neg("pretty bad");
	assert_pos("pretty");
}

static void test_kind_of(void **state)
{
	(void)state;
	/* "kind" is praise (2.4) unless it is "kind of" */
	assert_pos("the staff were kind");
	assert_true(score("The book was kind of good.") < score("The book was good."));
	assert_true(score("The book was kind of good.") > 0);
	assert_true(score("it is sort of bad") > score("it is bad"));
	assert_true(score("it is sort of bad") < 0);
	assert_true(has_cue("kind of good", "good", "dampened"));
}

static void test_contrast(void **state)
{
	(void)state;
	assert_neg("The food was great but the service was terrible");
	assert_pos("The food was bad but the dessert was fantastic");
	assert_true(has_cue("The food was great but the service was terrible",
			    "terrible", "but-shifted"));
	assert_neg("The screen is nice. However, the battery is awful.");
	assert_pos("Although the service was slow, the food was excellent.");
	assert_neg("Although the screen is lovely, the battery is dreadful.");
	/* "X, though Y": Y is the aside */
	assert_pos("Great phone, though the case is a little ugly.");
}

static void test_caps(void **state)
{
	(void)state;
	assert_true(score("The app is GREAT") > score("The app is great"));
	assert_true(score("the app is TERRIBLE") < score("the app is terrible"));
	assert_true(has_cue("The app is GREAT", "GREAT", "capitalised"));
	/* all caps everywhere is no emphasis */
	assert_float_equal(score("THE APP IS GREAT"), score("the app is great"), 1e-9);
}

static void test_punctuation(void **state)
{
	(void)state;
	assert_true(score("great!!!") > score("great"));
	assert_true(score("terrible!!") < score("terrible"));
	assert_true(score("is it broken??") < score("is it broken"));
	/* capped at four */
	assert_float_equal(score("good!!!!"), score("good!!!!!!!!"), 1e-9);
	assert_zero("what!!!");
}

static void test_idioms(void **state)
{
	(void)state;
	assert_neg("they cut corners on everything");
	assert_pos("worth every penny");
	assert_pos("top notch build quality");
	assert_neg("feeling under the weather");
	assert_pos("can't wait to try it");
	assert_true(has_cue("worth every penny", "worth every penny", "idiom"));
	/* a multi-word lexicon entry */
	assert_neg("I am fed up");
}

static void test_emoticons_emoji(void **state)
{
	(void)state;
	assert_pos("ok :)");
	assert_neg("meeting moved again :(");
	assert_pos("<3");
	assert_pos("see you there :D");
	assert_neg("my order 😡");
	assert_pos("new shoes 😍");
	assert_pos("done 👍");
	assert_neg("done 👎");
	assert_pos("❤️");       /* with U+FE0F */
	assert_pos("❤");        /* without */
	assert_pos("👍🏽 thanks"); /* skin tone */
	assert_true(has_cue("new shoes 😍", "😍", "emoji"));
	/* a face is not negated by the words before it */
	assert_neg("my bill went up for no reason 🙄");
}

static void test_implicit_complaints(void **state)
{
	(void)state;
	assert_neg("still waiting for my refund");
	assert_neg("on hold for 45 minutes");
	assert_neg("the app stopped working");
	assert_neg("it doesn't work");
	assert_neg("my card is not working since Monday");
	assert_neg("I want to cancel my subscription");
	assert_neg("never buying from them again");
	assert_neg("this is the 5th time I'm asking");
	assert_neg("third time this week");
	assert_neg("no response from anyone");
	assert_neg("nobody has replied to my email");
	assert_neg("crashed again");
	assert_neg("the package never arrived");
	assert_neg("I was charged twice");
	assert_neg("where is my order");
	assert_neg("it's been 3 weeks");
	assert_neg("no fix yet"); /* "no" alone */
	/* a wanted thing missing is a complaint, not a negated one */
	assert_neg("two weeks and no refund yet");
	assert_neg("still no signal");
	assert_zero("Please do not reply to this email");
	/* a duration is a wait when something is stuck */
	assert_neg("My parcel has been out for delivery for five days.");
	assert_pos("I had it for five days and love it");
	assert_neg("Your hold music has been playing for 50 minutes.");
	assert_neg("Is anyone else having issues with the app?");
	assert_neg("The heating engineer never showed up and no one called to reschedule.");
	assert_true(has_cue("still waiting for my refund", "still waiting", "complaint"));
	/* "again" and "still" complain only in bad news */
	assert_zero("see you again tomorrow");
	assert_pos("still works great after two years");
}

static void test_sarcasm(void **state)
{
	(void)state;
	assert_neg("Great, another update that deletes all my settings. Thanks a lot.");
	assert_true(has_cue("Great, another update that deletes all my settings. Thanks a lot.",
			    "Great", "sarcasm"));
	assert_true(has_cue("Great, another update that deletes all my settings. Thanks a lot.",
			    "Thanks a lot", "sarcasm"));
	assert_neg("yeah right");
	assert_neg("Oh great, it crashed again.");
	assert_neg("Perfect. Another outage.");
	assert_neg("love how it crashes every time I open it");
	assert_neg("thanks for nothing");
	/* and the sincere versions stay positive */
	assert_pos("Thanks a lot for the help!");
	assert_pos("Great, thanks for the quick reply");
	assert_pos("love how easy it is");
	assert_pos("Great product, works as described");
	/* a lone interjection after bad news */
	assert_neg("They cancelled my train and charged me a fee. Wonderful.");
	assert_neg("Lost my keys again. Great start to the week.");
	assert_pos("The train was on time. Wonderful.");
	assert_pos("This playlist is exactly what I needed this morning");
}

static void test_support_vocabulary(void **state)
{
	(void)state;
	assert_zero("support");
	assert_zero("please help");
	assert_zero("I want to talk to customer care");
	assert_neg("I want a refund please");
	assert_neg("sent four emails to support and got zero responses");
	/* thanks is praise, unless it ends a complaint */
	assert_pos("thanks");
	assert_neg("thanks, still waiting for my refund");
	assert_neg("Please help, I can't log in. Thanks");
	/* "like" as a preposition */
	assert_zero("it looks like rain");
	assert_pos("I like it");
	assert_neg("I don't like it");
}

static void test_elongation_ratings(void **state)
{
	(void)state;
	assert_true(score("goooood") > score("good"));
	assert_true(has_cue("sooo goooood", "goooood", "boosted"));
	assert_pos("10/10 would recommend");
	assert_neg("2/10");
	assert_true(score("5/5") > score("4/5"));
	assert_zero("1/3 of the way"); /* not a rating scale */
	assert_zero("the 24/7 line");
}

static void test_trends(void **state)
{
	(void)state;
	/* the direction and the thing it moves, not their own valences */
	assert_pos("The city's unemployment rate dropped to its lowest level in twenty years.");
	assert_neg("Unemployment rose for the third month.");
	assert_neg("Growth slowed in the third quarter.");
	assert_pos("Exports rose slightly last month.");
	assert_pos("The museum reported a rise in visitors.");
	assert_pos("Crime fell sharply.");
	assert_true(has_cue("Crime fell sharply.", "fell", "trend"));
}

static void test_questions(void **state)
{
	(void)state;
	/* asking for something good is not praise */
	assert_true(score("Can someone recommend a good plumber?") <
		    0.5 * score("They recommend a good plumber."));
	/* complaints in questions keep their weight */
	assert_neg("Why is my bill higher than last month?");
	assert_float_equal(score("Is the service terrible?"),
			   score("is the service terrible"), 0.2);
}

static void test_resolution(void **state)
{
	(void)state;
	/* a fixed problem is no complaint, and thanks for it are sincere */
	assert_pos("Thanks for fixing the bug so fast!");
	assert_pos("Thanks, the issue is resolved");
	assert_neg("They never fixed the crash");
	assert_neg("Thanks for nothing, still not fixed");
}

static void test_complaint_frame(void **state)
{
	(void)state;
	/* complaints that name no feeling: two or more kinds of signal */
	assert_neg("@insureco 6 weeks and my claim is still \"under review\".");
	assert_neg("Your agent promised me a discount and now the bill shows full price.");
	assert_neg("The installer drilled through a water pipe and now nobody will take it back.");
	assert_true(has_cue("@insureco 6 weeks and my claim is still under review",
			    "weeks", "complaint-context"));
	/* plain questions and news are not complaints */
	assert_zero("Is it possible to change my delivery slot?");
	assert_zero("How long does standard shipping usually take?");
	assert_zero("The station will close for maintenance overnight.");
	assert_zero("I ordered this for my son's birthday, it arrived in 3 days, and he uses it every day.");
	assert_zero("Bought for my office, haven't opened it yet.");
	/* praise wins */
	assert_pos("My order arrived a week early, thank you!");
}

static void test_too(void **state)
{
	(void)state;
	assert_neg("the smell is way too strong");
	assert_pos("too cute");
	assert_neg("way too loud");
	assert_neg("Too small for my needs");
	assert_zero("me too");
	assert_pos("I love it too");
}

static void test_competitor(void **state)
{
	(void)state;
	assert_neg("Samsung is way better than this");
	assert_neg("honestly yours is worse, switching to Globex");
	assert_neg("should have bought the other brand");
	assert_true(has_cue("switching to Globex", "switching to", "competitor"));
	/* target-aware: the target after "than" is the worse one */
	assert_true(score_for("Globex is better than Acme", "Acme") < -0.05);
	assert_true(score_for("Globex is better than Acme", "Globex") > 0.05);
	assert_true(score_for("Acme is worse than Globex", "Globex") > 0.05);
}

static void test_spans(void **state)
{
	struct hark_sentiment s;
	const char *text = "I called support yesterday. They were useless. The phone is lovely.";

	(void)state;
	/* no cue in the span's own clause: the neighbouring sentences count */
	assert_true(score_for(text, "support") < -0.05);
	assert_true(score_for(text, "phone") > 0.05);
	assert_true(score_for("The battery is awful; the screen is superb.", "screen") > 0.05);
	assert_true(score_for("The battery is awful; the screen is superb.", "battery") < -0.05);
	/* no spans: the whole text */
	hark_sentiment_score_spans(hark_sentiment_default(), text, strlen(text),
				   NULL, 0, false, &s);
	assert_float_equal(s.compound, score(text), 1e-12);
}

static void test_proportions_and_cues(void **state)
{
	struct hark_sentiment s;
	const char *text = "The food was great but the service was terrible!";
	double last = INFINITY;

	(void)state;
	hark_sentiment_score(hark_sentiment_default(), text, strlen(text), true, &s);
	assert_float_equal(s.pos + s.neu + s.neg, 1.0, 1e-9);
	assert_true(s.pos > 0 && s.neg > 0 && s.neu > 0);
	assert_true(s.compound >= -1 && s.compound <= 1);
	assert_non_null(s.cues);
	assert_true(s.cues->len >= 3); /* great, terrible, "!" */
	for (guint i = 0; i < s.cues->len; i++) {
		const struct hark_sentiment_cue *c =
			&g_array_index(s.cues, struct hark_sentiment_cue, i);

		assert_true(fabs(c->valence) <= last); /* strongest first */
		last = fabs(c->valence);
		assert_true(g_utf8_validate(c->token, -1, NULL));
		assert_non_null(c->why);
	}
	hark_sentiment_clear(&s);
	assert_null(s.cues);
	hark_sentiment_clear(&s); /* twice is fine */

	hark_sentiment_score(hark_sentiment_default(), "", 0, true, &s);
	assert_float_equal(s.pos + s.neu + s.neg, 0, 0);
	assert_int_equal(s.cues->len, 0);
	hark_sentiment_clear(&s);
	/* extremes stay in range */
	assert_true(score("great great great great great great great great!!!!") <= 1.0);
}

static void test_hostile_input(void **state)
{
	struct hark_sentiment s;
	GString *big = g_string_new(NULL);
	const char bad[] = "good \xff\xfe\xc3 bad \xed\xa0\x80 ok\0nul";

	(void)state;
	/* invalid UTF-8 and NULs are separators, never read past LEN */
	hark_sentiment_score(hark_sentiment_default(), bad, sizeof(bad) - 1, true, &s);
	for (guint i = 0; i < s.cues->len; i++)
		assert_true(g_utf8_validate(g_array_index(s.cues, struct hark_sentiment_cue,
							  i).token, -1, NULL));
	hark_sentiment_clear(&s);
	assert_float_equal(score("good \xff bad"), score("good bad"), 1e-12);
	/* more tokens than the stack holds */
	for (int i = 0; i < 5000; i++)
		g_string_append(big, "good, ");
	hark_sentiment_score(hark_sentiment_default(), big->str, big->len, true, &s);
	assert_true(s.compound > 0.99);
	assert_int_equal(s.cues->len, 5000);
	hark_sentiment_clear(&s);
	g_string_free(big, TRUE);
	/* a lone emoji-ish byte at the end */
	assert_zero("\xf0\x9f");
}

static void test_format(void **state)
{
	GString *buf = g_string_new(NULL);
	struct hark_sentiment s;

	(void)state;
	hark_sentiment_format_compound(buf, -0.00001);
	assert_string_equal(buf->str, "0.0000");
	g_string_truncate(buf, 0);
	hark_sentiment_format_compound(buf, -0.61234);
	assert_string_equal(buf->str, "-0.6123");
	g_string_truncate(buf, 0);
	hark_sentiment_format_compound(buf, 1.0);
	assert_string_equal(buf->str, "1.0000");
	g_string_truncate(buf, 0);
	hark_sentiment_score(hark_sentiment_default(), "not \"good\"", 10, true, &s);
	hark_sentiment_format_json(buf, &s);
	assert_non_null(strstr(buf->str, "{\"compound\":-"));
	assert_non_null(strstr(buf->str, "\"token\":\"good\""));
	assert_non_null(strstr(buf->str, "\"why\":\"negated\""));
	g_string_truncate(buf, 0);
	hark_sentiment_format_explain(buf, &s);
	assert_non_null(strstr(buf->str, "[negated]"));
	hark_sentiment_clear(&s);
	g_string_free(buf, TRUE);
	assert_ptr_equal(hark_sentiment_default(), hark_sentiment_default());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_issue_examples),
		cmocka_unit_test(test_lexicon),
		cmocka_unit_test(test_negation),
		cmocka_unit_test(test_negated_negatives),
		cmocka_unit_test(test_boosters_dampeners),
		cmocka_unit_test(test_kind_of),
		cmocka_unit_test(test_contrast),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_punctuation),
		cmocka_unit_test(test_idioms),
		cmocka_unit_test(test_emoticons_emoji),
		cmocka_unit_test(test_implicit_complaints),
		cmocka_unit_test(test_sarcasm),
		cmocka_unit_test(test_support_vocabulary),
		cmocka_unit_test(test_elongation_ratings),
		cmocka_unit_test(test_trends),
		cmocka_unit_test(test_questions),
		cmocka_unit_test(test_resolution),
		cmocka_unit_test(test_complaint_frame),
		cmocka_unit_test(test_too),
		cmocka_unit_test(test_competitor),
		cmocka_unit_test(test_spans),
		cmocka_unit_test(test_proportions_and_cues),
		cmocka_unit_test(test_hostile_input),
		cmocka_unit_test(test_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
