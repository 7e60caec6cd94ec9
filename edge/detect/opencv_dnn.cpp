#include "opencv_dnn.h"

#include <stdlib.h>
#include <string.h>

#include <exception>
#include <map>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>

struct xh_net {
    cv::dnn::Net net;
    std::map<std::vector<int>, cv::Mat> inputs;  // one blob per shape
    cv::Mat output;
};

static void set_err(char** err, const char* msg) {
    if (err) *err = strdup(msg);
}

xh_net* xh_net_read(const char* data, size_t len, char** err) {
    try {
        xh_net* n = new xh_net();
        n->net = cv::dnn::readNetFromONNX(data, len);
        if (n->net.empty()) {
            delete n;
            set_err(err, "OpenCV read an empty network");
            return NULL;
        }
        n->net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
        n->net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
        return n;
    } catch (const std::exception& e) {
        set_err(err, e.what());
    } catch (...) {
        set_err(err, "unknown C++ exception");
    }
    return NULL;
}

float* xh_net_input(xh_net* net, const int* dims, int ndims, char** err) {
    try {
        std::vector<int> key(dims, dims + ndims);
        auto it = net->inputs.find(key);
        if (it == net->inputs.end()) {
            it = net->inputs.emplace(key, cv::Mat(ndims, dims, CV_32F, cv::Scalar(0))).first;
        }
        return it->second.ptr<float>();
    } catch (const std::exception& e) {
        set_err(err, e.what());
    } catch (...) {
        set_err(err, "unknown C++ exception");
    }
    return NULL;
}

const float* xh_net_forward(xh_net* net, const int* dims, int ndims, size_t* len, char** err) {
    try {
        std::vector<int> key(dims, dims + ndims);
        auto it = net->inputs.find(key);
        if (it == net->inputs.end()) {
            set_err(err, "no input blob of this shape");
            return NULL;
        }
        net->net.setInput(it->second);
        std::vector<cv::String> names = net->net.getUnconnectedOutLayersNames();
        if (names.size() != 1) {
            set_err(err, ("OpenCV sees " + std::to_string(names.size()) + " outputs, want 1").c_str());
            return NULL;
        }
        cv::Mat out = net->net.forward(names[0]);
        if (out.depth() != CV_32F) {
            set_err(err, "output is not float32");
            return NULL;
        }
        net->output = out.isContinuous() ? out : out.clone();
        *len = net->output.total() * net->output.channels();
        return net->output.ptr<float>();
    } catch (const std::exception& e) {
        set_err(err, e.what());
    } catch (...) {
        set_err(err, "unknown C++ exception");
    }
    return NULL;
}

void xh_net_free(xh_net* net) { delete net; }

void xh_set_num_threads(int n) {
    try {
        cv::setNumThreads(n);
    } catch (...) {
    }
}
