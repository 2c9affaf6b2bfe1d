// gemmconv-bench's benchdnn descriptor parser (bench/layer_desc.cpp) against the rules in
// ../shared/shapes/README.md, including every line of the network files when they are found.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

// cmocka.h declares its C functions without extern "C".
extern "C" {
#include <cmocka.h>
}

#include <string>
#include <vector>

#include "../bench/layer_desc.hpp"

namespace {

bench::Layer parse_ok(const std::string& text) {
  bench::Layer l;
  std::string error;
  const bool ok = bench::parse_layer(text, l, error);
  if (!ok) print_error("'%s': %s\n", text.c_str(), error.c_str());
  assert_true(ok);
  return l;
}

// Parsing must fail with a message that starts with `field`.
void parse_fails(const std::string& text, const std::string& field) {
  bench::Layer l;
  std::string error;
  assert_false(bench::parse_layer(text, l, error));
  if (error.compare(0, field.size(), field) != 0)
    print_error("'%s': error '%s' does not start with '%s'\n", text.c_str(), error.c_str(),
                field.c_str());
  assert_true(error.compare(0, field.size(), field) == 0);
}

// The output size the library would compute from the parsed padding.
uint32_t out_size(uint32_t in, uint32_t k, uint32_t s, uint32_t d, uint32_t p0, uint32_t p1) {
  return (in + p0 + p1 - ((k - 1) * (d + 1) + 1)) / s + 1;
}

void assert_consistent(const bench::Layer& l) {
  assert_int_equal(out_size(l.ih, l.kh, l.sh, l.dh, l.pt, l.pb), l.oh);
  assert_int_equal(out_size(l.iw, l.kw, l.sw, l.dw, l.pl, l.pr), l.ow);
}

void square_defaults(void**) {
  const bench::Layer l = parse_ok("g2mb256ic96ih27oc256oh27kh5ph2n\"alexnet:conv2\"");
  assert_string_equal(l.name.c_str(), "alexnet:conv2");
  assert_int_equal(l.repeat, 1);
  assert_int_equal(l.g, 2);
  assert_int_equal(l.mb, 256);
  assert_int_equal(l.ic, 96);
  assert_int_equal(l.oc, 256);
  assert_int_equal(l.iw, 27);
  assert_int_equal(l.kw, 5);
  assert_int_equal(l.ow, 27);
  assert_int_equal(l.sh, 1);
  assert_int_equal(l.sw, 1);
  assert_int_equal(l.dh, 0);
  assert_int_equal(l.dw, 0);
  assert_int_equal(l.pt, 2);
  assert_int_equal(l.pb, 2);
  assert_int_equal(l.pl, 2);
  assert_int_equal(l.pr, 2);
  // Defaults: g 1, mb 1, stride 1.
  const bench::Layer m = parse_ok("ic3ih8oc4kh3");
  assert_int_equal(m.g, 1);
  assert_int_equal(m.mb, 1);
  assert_int_equal(m.oh, 6);
  assert_int_equal(m.ow, 6);
  assert_int_equal(m.pt + m.pb + m.pl + m.pr, 0);
  assert_string_equal(m.name.c_str(), "ic3ih8oc4kh3");
}

void explicit_width_fields(void**) {
  const bench::Layer l =
      parse_ok("g1mb96ic3ih224iw224oc64oh112ow112kh7kw7sh2sw2ph3pw3n\"googlenet_v1:conv1\"");
  assert_int_equal(l.iw, 224);
  assert_int_equal(l.kw, 7);
  assert_int_equal(l.sw, 2);
  assert_int_equal(l.ow, 112);
  assert_int_equal(l.pt, 3);
  assert_int_equal(l.pl, 3);
  // (111*2 - 224 + 7) - 3 = 2: the end padding is smaller than the start.
  assert_int_equal(l.pb, 2);
  assert_int_equal(l.pr, 2);
  assert_consistent(l);
  // A non-square layer: the w axis is computed on its own.
  const bench::Layer r = parse_ok("ic4ih10iw20oc8kh3kw5ph1pw2");
  assert_int_equal(r.oh, 10);
  assert_int_equal(r.ow, 20);
  assert_int_equal(r.pl, 2);
  assert_int_equal(r.pr, 2);
  assert_consistent(r);
  // Given some w field, the others do not copy h: sw defaults to 1.
  const bench::Layer s = parse_ok("ic4ih9iw9oc8kh3kw3sh2");
  assert_int_equal(s.sh, 2);
  assert_int_equal(s.sw, 1);
  assert_int_equal(s.oh, 4);
  assert_int_equal(s.ow, 7);
}

void oh_given_ph_absent(void**) {
  // ph = ((56-1)*1 - 56 + 3) / 2 = 1.
  const bench::Layer l = parse_ok("mb1ic128ih56oc256oh56kh3n\"x\"");
  assert_int_equal(l.pt, 1);
  assert_int_equal(l.pb, 1);
  assert_int_equal(l.pl, 1);
  assert_int_equal(l.pr, 1);
  // Even "same" padding for a 4x4 kernel: 1 at the start, 2 at the end.
  const bench::Layer e = parse_ok("ic2ih8oc2oh8kh4");
  assert_int_equal(e.pt, 1);
  assert_int_equal(e.pb, 2);
  assert_consistent(e);
  // oh absent: computed with ph absent = 0.
  const bench::Layer o = parse_ok("ic2ih9oc2kh3sh2");
  assert_int_equal(o.oh, 4);
  assert_int_equal(o.pt, 0);
  assert_int_equal(o.pb, 0);
}

void asymmetric_end_padding(void**) {
  // resnet_50's stride-2 1x1 layers: the end padding (27*2 - 56 + 1 - 0 = -1) clamps to 0 and
  // oh still comes out as 28.
  const bench::Layer l =
      parse_ok("g1mb50ic256ih56iw56oc512oh28ow28kh1kw1sh2sw2ph0pw0n\"resnet_50:res3a_branch1\"");
  assert_int_equal(l.oh, 28);
  assert_int_equal(l.ow, 28);
  assert_int_equal(l.pt, 0);
  assert_int_equal(l.pb, 0);
  assert_int_equal(l.pr, 0);
  assert_consistent(l);
  // Stride 2, 3x3, given oh: pt 1 and pb 0 (111*2 - 224 + 3 - 1 = 0).
  const bench::Layer a = parse_ok("ic3ih224oc8oh112kh3sh2ph1");
  assert_int_equal(a.pt, 1);
  assert_int_equal(a.pb, 0);
  assert_consistent(a);
  // The end padding larger than the start.
  const bench::Layer b = parse_ok("ic3ih10oc8oh12kh3ph1");
  assert_int_equal(b.pt, 1);
  assert_int_equal(b.pb, 3);
  assert_consistent(b);
}

void dilation(void**) {
  // dh is dilation minus one: dh1 makes a 3x3 kernel span 5.
  const bench::Layer l = parse_ok("ic8ih20oc8kh3dh1ph2");
  assert_int_equal(l.dh, 1);
  assert_int_equal(l.dw, 1);
  assert_int_equal(l.oh, 20);
  assert_int_equal(l.ow, 20);
  assert_consistent(l);
  const bench::Layer g = parse_ok("ic8ih20oc8oh20kh3dh2");
  assert_int_equal(g.pt, 3);
  assert_int_equal(g.pb, 3);
  const bench::Layer w = parse_ok("ic8ih20iw20oc8kh3kw3dh1dw0");
  assert_int_equal(w.oh, 16);
  assert_int_equal(w.ow, 18);
  // In a descriptor, to_conv_desc turns it into the library's dilation.
  const gemmconv_conv_desc d = bench::to_conv_desc(l, 1, GEMMCONV_LAYOUT_NCHW);
  assert_int_equal(d.dilation_height, 2);
  assert_int_equal(d.dilation_width, 2);
  assert_int_equal(d.pad_bottom, 2);
}

void repeat_names(void**) {
  const bench::Layer l = parse_ok("mb64ic256ih56oc256oh56kh3ph1n\"vgg_19:conv3_2*3\"");
  assert_string_equal(l.name.c_str(), "vgg_19:conv3_2");
  assert_int_equal(l.repeat, 3);
  assert_string_equal(bench::network_of(l).c_str(), "vgg_19");
  const bench::Layer m = parse_ok("ic4ih4oc4kh1n\"googlenet_v1:inception_4b/pool_proj*12\"");
  assert_int_equal(m.repeat, 12);
  assert_string_equal(m.name.c_str(), "googlenet_v1:inception_4b/pool_proj");
  // '_' is ignored and '#' starts a comment.
  const bench::Layer c = parse_ok("mb1_ic4_ih4_oc4_kh1 n\"a\"  # comment ih9");
  assert_int_equal(c.ih, 4);
  parse_fails("ic4ih4oc4kh1n\"x*0\"", "n:");
  parse_fails("ic4ih4oc4kh1n\"x*\"", "n:");
  parse_fails("ic4ih4oc4kh1n\"x*2b\"", "n:");
}

void errors_name_the_field(void**) {
  parse_fails("ic4oc4kh3", "ih:");
  parse_fails("ic4ih8oc4", "kh:");
  parse_fails("ih8oc4kh3", "ic:");
  parse_fails("ic4ih8kh3", "oc:");
  parse_fails("ic0ih8oc4kh3", "ic:");
  parse_fails("mb0ic4ih8oc4kh3", "mb:");
  parse_fails("g3ic4ih8oc6kh3", "g:");
  parse_fails("ic4ih8oc4kh3sh0", "sh:");
  parse_fails("ic4ih8oc4kh0", "kh:");
  parse_fails("ic4ih2oc4kh5", "kh:");
  parse_fails("ic4ih8oc4oh3kh3ph0", "oh:");
  parse_fails("ic4ih10oc4oh5kh1ph0", "oh:");
  parse_fails("ic4ih8iw8oc4kh3kw3ow2", "ow:");
  parse_fails("ic4ih8oc4kh3iw8", "kw:");
  parse_fails("ic4ih8oc4kh3kw3", "iw:");
  parse_fails("ic4ih8ih9oc4kh3", "ih:");
  parse_fails("ic4ih8oc4kh3xy2", "unknown field 'xy'");
  parse_fails("ic4id8ih8oc4kh3", "id:");
  parse_fails("ic4ih8oc4kh_n\"x\"", "kh:");
  parse_fails("ic4ih8oc4kh3ph", "ph:");
  parse_fails("ic4ih99999999999oc4kh3", "ih:");
  parse_fails("ic4ih8oc4kh3n\"open", "n:");
  parse_fails("ic4ih8oc4kh3-1", "unexpected text");
}

// Every layer of the four networks parses and is self-consistent (skipped when the shapes
// are not next to the repository).
void network_files(void**) {
  int files = 0;
  for (const char* net : {"vgg_19", "resnet_50", "googlenet_v1", "alexnet"}) {
    for (const std::string& dir : {std::string(SHAPES_DIR), std::string(BENCH_SHAPES_DIR)}) {
      std::vector<bench::Layer> layers;
      std::string error;
      if (!bench::read_layer_file(dir + "/" + net, layers, error)) {
        if (error.compare(0, 11, "cannot open") == 0) continue;
        print_error("%s\n", error.c_str());
        fail();
      }
      ++files;
      for (const bench::Layer& l : layers) {
        assert_consistent(l);
        assert_string_equal(bench::network_of(l).c_str(), net);
      }
    }
  }
  if (files == 0) skip();
  std::string error;
  std::vector<bench::Layer> none;
  assert_false(bench::read_layer_file("/nonexistent/shapes", none, error));
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(square_defaults),
      cmocka_unit_test(explicit_width_fields),
      cmocka_unit_test(oh_given_ph_absent),
      cmocka_unit_test(asymmetric_end_padding),
      cmocka_unit_test(dilation),
      cmocka_unit_test(repeat_names),
      cmocka_unit_test(errors_name_the_field),
      cmocka_unit_test(network_files),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
